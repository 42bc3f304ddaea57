using System.Diagnostics;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Server.Auth;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// Watches every request once it is answered: records the <c>/auth</c> request metrics (endpoint,
/// result code, latency) and the rate-limit refusals, and writes one structured log line per
/// request in the category <c>OrleansLicensing.Requests</c>: request id, method, route template,
/// HTTP status, result code and latency. The route is the template (<c>/v1/licenses/{licenseKey}</c>, as in metrics),
/// never the path, so no license key, API key or token reaches the log; no header or body is read.
/// </summary>
public static partial class RequestObserver
{
    /// <summary>Category of the per-request lines; set its level to <c>Warning</c> to silence them.</summary>
    public const string LogCategory = "OrleansLicensing.Requests";

    /// <summary>Installs the observer (after <c>UseRequestIds</c>, so the request id is known).</summary>
    public static IApplicationBuilder UseRequestObserver(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<LicensingMetrics>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            // Routing ran already; taken now because the exception handler clears the endpoint of a failed request.
            var endpoint = context.GetEndpoint() as RouteEndpoint;
            try
            {
                await next(context);
            }
            finally
            {
                Observe(context, endpoint, Stopwatch.GetElapsedTime(started), metrics, logger);
            }
        });
    }

    private static void Observe(HttpContext context, RouteEndpoint? endpoint, TimeSpan elapsed, LicensingMetrics metrics, ILogger logger)
    {
        var status = context.Response.StatusCode;
        string? result;
        if (context.Features.Get<AuthLogDraft>() is { } auth)
        {
            // The /auth edge (AuthExchange) hands its outcome over; failures are in the body, whatever the status.
            result = auth.ResultCode(context.Response.HasStarted) ?? "no_answer";
            metrics.AuthRequest(AuthEndpoint(context.Request.Path), result, elapsed);
            if (result == RateLimitedCode) metrics.RateLimited("auth");
        }
        else
        {
            result = context.Features.Get<ApiErrorCode>()?.Code;
            if (status == StatusCodes.Status429TooManyRequests && ManagementPaths.Contains(context.Request.Path)) metrics.RateLimited("developer");
        }

        var route = RouteLabels.Of(endpoint) ?? "(no route)";
        if (context.Request.Path.StartsWithSegments("/health"))
        {
            LogProbe(logger, context.TraceIdentifier, context.Request.Method, route, status, elapsed.TotalMilliseconds);
        }
        else
        {
            LogRequest(logger, context.TraceIdentifier, context.Request.Method, route, status, result ?? (status < 400 ? "ok" : "error"), elapsed.TotalMilliseconds);
        }
    }

    private static readonly string RateLimitedCode = AuthError.RateLimited.Code();

    /// <summary>The endpoint tag: a constant per <c>/auth</c> route (no string is built per request).</summary>
    private static string AuthEndpoint(PathString path)
    {
        var value = path.Value ?? "";
        if (value.EndsWith("/validate", StringComparison.Ordinal)) return "validate";
        if (value.EndsWith("/heartbeat", StringComparison.Ordinal)) return "heartbeat";
        if (value.EndsWith("/selfban", StringComparison.Ordinal)) return "selfban";
        return "other";
    }

    [LoggerMessage(EventId = 1, EventName = "Request", Level = LogLevel.Information,
        Message = "{RequestId} {Method} {Route} answered {Status} {Result} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string requestId, string method, string route, int status, string result, double elapsedMs);

    [LoggerMessage(EventId = 2, EventName = "HealthProbe", Level = LogLevel.Debug,
        Message = "{RequestId} {Method} {Route} answered {Status} in {ElapsedMs:0.0} ms")]
    private static partial void LogProbe(ILogger logger, string requestId, string method, string route, int status, double elapsedMs);
}
