using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// The route of a request as metrics (<c>http_route</c>) and the request log name it, in one spelling: a
/// leading slash and no trailing one (<c>/v1/apps/{appId}</c>, <c>/auth/validate</c>, <c>/health/live</c>,
/// <c>/dashboard</c>). ASP.NET Core takes the label from each route's raw template, and controllers, Razor
/// pages and minimal endpoints write those differently (<c>v1/apps</c>, <c>console</c>, <c>/health/live</c>,
/// <c>/dashboard/</c>). Each endpoint is given its label once, at start-up, so no request pays for it.
/// </summary>
public static class RouteLabels
{
    /// <summary>The label of a raw route template.</summary>
    public static string Of(string rawTemplate) => "/" + rawTemplate.Trim('/');

    /// <summary>The label of a request's endpoint, or <c>null</c> when it matched none.</summary>
    public static string? Of(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route;

    /// <summary>Labels every endpoint mapped so far; call it after the last <c>Map…</c>.</summary>
    public static void UseConsistentRouteLabels(this IEndpointRouteBuilder endpoints)
    {
        var sources = endpoints.DataSources.ToList();
        endpoints.DataSources.Clear();
        foreach (var source in sources) endpoints.DataSources.Add(new LabeledEndpoints(source));
    }

    /// <summary>An endpoint source whose route endpoints carry their label as the last route-diagnostics metadata (the one read).</summary>
    private sealed class LabeledEndpoints(EndpointDataSource inner) : EndpointDataSource
    {
        public override IReadOnlyList<Endpoint> Endpoints => [.. inner.Endpoints.Select(Label)];

        public override IReadOnlyList<Endpoint> GetGroupedEndpoints(RouteGroupContext context) => [.. inner.GetGroupedEndpoints(context).Select(Label)];

        public override IChangeToken GetChangeToken() => inner.GetChangeToken();

        private static Endpoint Label(Endpoint endpoint) => endpoint is RouteEndpoint { RequestDelegate: { } handler, RoutePattern.RawText: { } raw } route
            ? new RouteEndpoint(handler, route.RoutePattern, route.Order,
                new EndpointMetadataCollection([.. route.Metadata, new RouteLabel(Of(raw))]), route.DisplayName)
            : endpoint;
    }

    private sealed record RouteLabel(string Route) : IRouteDiagnosticsMetadata;
}
