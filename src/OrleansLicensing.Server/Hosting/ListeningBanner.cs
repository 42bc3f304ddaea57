using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The first line an operator reads once the server is up: where the API and its reference are.</summary>
public static partial class ListeningBanner
{
    /// <summary>Logs the bound HTTP addresses and the <c>/docs</c> reference (call after the host started).</summary>
    public static void LogWhereToFind(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        if (addresses.Count == 0) return;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicensing.Startup");
        Listening(logger, string.Join(", ", addresses), addresses[0].TrimEnd('/') + OpenApiDocumentation.ReferencePath, app.Environment.ContentRootPath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OrleansLicensing listening on {Addresses} — API reference at {Docs} (content root {ContentRoot})")]
    private static partial void Listening(ILogger logger, string addresses, string docs, string contentRoot);
}
