using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The <c>Logging</c> section: the shipped defaults wherever the process starts, and values checked like every other key.</summary>
public static class LoggingRules
{
    private static readonly string[] Formatters = ["simple", "json", "systemd"];

    /// <summary>
    /// Adds the <c>appsettings.json</c> beside the executable as the lowest-precedence source when the
    /// working directory is elsewhere (<c>dotnet /opt/…/OrleansLicensing.Server.dll</c>, a systemd unit
    /// without <c>WorkingDirectory</c>): ASP.NET Core reads it from the content root, the working
    /// directory, so its log levels, which keep Orleans' option dumps and ASP.NET Core's per-request
    /// lines (with license keys in their paths) out of the log, were silently not applied.
    /// </summary>
    public static void AddShippedSettings(IConfigurationBuilder configuration, string contentRoot)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (!File.Exists(shipped)) return;
        if (string.Equals(Path.GetFullPath(Path.Combine(contentRoot, "appsettings.json")), Path.GetFullPath(shipped), StringComparison.Ordinal)) return;
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
            ReloadOnChange = false,
        });
    }

    /// <summary>
    /// Every <c>Logging:…:LogLevel:…</c> value must be a level (Trace … None) and
    /// <c>Logging:Console:FormatterName</c> a formatter the console logger has; the logging library
    /// otherwise fails the start with a stack trace (a level) or silently ignores it (a formatter).
    /// </summary>
    public static void Validate(IConfiguration configuration)
    {
        foreach (var entry in configuration.GetSection("Logging").AsEnumerable())
        {
            if (entry.Value is null) continue;
            var segments = entry.Key.Split(':');
            var isLevel = segments.Length >= 3 && segments[^2].Equals("LogLevel", StringComparison.OrdinalIgnoreCase);
            if (isLevel && !Enum.TryParse<LogLevel>(entry.Value, ignoreCase: true, out _))
            {
                throw new LicensingConfigurationException($"{entry.Key} = '{entry.Value}' is invalid: must be Trace, Debug, Information, Warning, Error, Critical or None");
            }
        }
        if (configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter && !Formatters.Contains(formatter, StringComparer.OrdinalIgnoreCase))
        {
            throw new LicensingConfigurationException($"Logging:Console:FormatterName = '{formatter}' is invalid: must be simple, json or systemd");
        }
    }
}
