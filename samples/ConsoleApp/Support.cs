using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Samples.ConsoleApp;

/// <summary>The sample's command line: a license key and <c>--name value</c> options (or <c>LICENSING_NAME</c> variables).</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public string? LicenseKey { get; private set; }

    public static CommandLine Parse(string[] args)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) line._options[args[i][2..]] = args[++i];
            else line.LicenseKey ??= args[i];
        }
        line.LicenseKey ??= Environment.GetEnvironmentVariable("LICENSING_LICENSE_KEY");
        return line;
    }

    public string? Get(string name) =>
        _options.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable("LICENSING_" + name.Replace('-', '_').ToUpperInvariant());
}

/// <summary>A minimal logger to standard error, so the sample needs nothing beyond the SDK.</summary>
internal sealed class ConsoleLogger(string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var level = logLevel switch
        {
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "trce",
        };
        Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {level}: {category}: {formatter(state, exception)}");
    }
}
