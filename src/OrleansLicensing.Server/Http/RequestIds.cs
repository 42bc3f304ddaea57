using System.Text.RegularExpressions;

namespace OrleansLicensing.Server.Http;

/// <summary>The request id every response carries (<c>X-Request-Id</c>), also the log lines' trace identifier.</summary>
public static partial class RequestIds
{
    public const string Header = "X-Request-Id";

    /// <summary>
    /// Every response gets <c>X-Request-Id</c>: the caller's when it is a sane token, else a new one.
    /// It is also the trace identifier that log lines carry.
    /// </summary>
    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicensing.Requests");
        return app.Use(async (context, next) =>
        {
            var incoming = context.Request.Headers[Header].ToString();
            var requestId = incoming.Length is > 0 and <= 128 && RequestIdPattern().IsMatch(incoming)
                ? incoming
                : ResourceId.New("req", DateTimeOffset.UtcNow);
            context.TraceIdentifier = requestId;
            context.Response.Headers[Header] = requestId;
            using (RequestScope(logger, requestId))
            {
                await next(context);
            }
        });
    }

    /// <summary>The log scope of a request: one structured property, <c>RequestId</c>.</summary>
    private static readonly Func<ILogger, string, IDisposable?> RequestScope = LoggerMessage.DefineScope<string>("RequestId:{RequestId}");

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex RequestIdPattern();
}
