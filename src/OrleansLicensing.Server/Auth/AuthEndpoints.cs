using OrleansLicensing.Server.AuthLogs;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The three SDK endpoints, <c>POST {prefix}/auth/validate</c>, <c>…/heartbeat</c> and <c>…/selfban</c>
/// (docs/protocol.md §2.1, <c>Licensing:Auth:PathPrefix</c>), routed straight to an
/// <see cref="AuthExchange"/> per request: no MVC controller, filter pipeline or per-request service
/// lookup on the hot path. Holds what every exchange shares. <see cref="AuthPaths"/> answers wrong
/// paths and methods under <c>/auth/</c> before routing.
/// </summary>
public sealed class AuthEndpoints(
    IGrainFactory grains,
    AuthSettings settings,
    AppMaterialCache materials,
    AuthViews views,
    LocalRateLimits limits,
    SessionActivityBuffer sessions,
    GrainCallsPerRequest grainCalls,
    TimeProvider time,
    AuthLog authLog,
    ILogger<AuthExchange> logger)
{
    /// <summary>The OpenAPI tag of the three operations.</summary>
    public const string Tag = "Auth";

    internal IGrainFactory Grains => grains;
    internal AuthSettings Settings => settings;
    internal AppMaterialCache Materials => materials;
    internal AuthViews Views => views;
    internal LocalRateLimits Limits => limits;
    internal SessionActivityBuffer Sessions => sessions;
    internal GrainCallsPerRequest GrainCalls => grainCalls;
    internal TimeProvider Time => time;
    internal AuthLog AuthLog => authLog;
    internal ILogger Logger => logger;

    /// <summary>Maps the three endpoints under <paramref name="prefix"/> (empty, or a path like <c>/api</c>).</summary>
    public static void MapAuthEndpoints(IEndpointRouteBuilder endpoints, string prefix)
    {
        var edge = endpoints.ServiceProvider.GetRequiredService<AuthEndpoints>();
        // The same route templates the controller had (no leading slash), so logs and metrics keep their route.
        var root = prefix.Length == 0 ? "auth/" : prefix.TrimStart('/') + "/auth/";
        // Handlers typed as Delegate, not RequestDelegate: only those carry the method the OpenAPI
        // document is described from (Http/OpenApiDocumentation.cs adds the bodies and errors).
        endpoints.MapPost(root + "validate", (Delegate)((HttpContext context) => new AuthExchange(edge, context).Validate())).WithTags(Tag);
        endpoints.MapPost(root + "heartbeat", (Delegate)((HttpContext context) => new AuthExchange(edge, context).Heartbeat())).WithTags(Tag);
        endpoints.MapPost(root + "selfban", (Delegate)((HttpContext context) => new AuthExchange(edge, context).SelfBan())).WithTags(Tag);
    }
}
