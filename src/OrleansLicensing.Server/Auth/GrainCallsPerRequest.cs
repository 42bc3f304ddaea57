using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Counts the grain calls each <c>/auth</c> request makes on its silo (its own calls and those of
/// the grains it calls, which carry its request id in the Orleans request context) and records the
/// count in the histogram <c>licensing.auth.grain_calls</c>, tagged with the endpoint. The design
/// budget (docs/design.md, "The request path") is two for a validate of a bound HWID and for a
/// non-billable heartbeat; this is how that is watched in production and guarded in tests. Calls a
/// grain on another silo makes are not seen here. Only one request in
/// <c>Licensing:Metrics:GrainCallsSampling</c> is counted (default 16): a counted request's id rides in
/// the request context of every call it makes, and Orleans copies that context with every message.
/// </summary>
public sealed class GrainCallsPerRequest : IOutgoingGrainCallFilter
{
    /// <summary>The request-context key of the <c>/auth</c> request a call belongs to.</summary>
    public const string RequestIdKey = "licensing-request-id";

    /// <summary>Name of the histogram.</summary>
    public const string InstrumentName = OrleansLicensing.Diagnostics.LicensingMetrics.AuthGrainCalls;

    private readonly ConcurrentDictionary<string, Count> _active = new(StringComparer.Ordinal);
    private readonly Histogram<int> _calls;
    private readonly int _every;
    private long _requests;

    public GrainCallsPerRequest(OrleansLicensing.Diagnostics.LicensingMetrics metrics, int every = Observability.ObservabilityOptions.MetricsOptions.DefaultGrainCallsSampling)
    {
        _calls = metrics.GrainCalls;
        _every = every;
    }

    /// <summary>
    /// Starts counting for <paramref name="requestId"/> if it is one of the sampled requests; the calls
    /// it makes from here on carry the id. Returns whether it is counted: then call <see cref="End"/>.
    /// </summary>
    public bool Begin(string requestId)
    {
        if (_every <= 0 || Interlocked.Increment(ref _requests) % _every != 0) return false;
        _active[requestId] = new Count();
        RequestContext.Set(RequestIdKey, requestId);
        return true;
    }

    /// <summary>Stops counting a request <see cref="Begin"/> counted and records its count.</summary>
    public void End(string requestId, string endpoint)
    {
        RequestContext.Remove(RequestIdKey);
        if (_active.TryRemove(requestId, out var count)) _calls.Record(count.Value, new KeyValuePair<string, object?>("endpoint", endpoint));
    }

    /// <inheritdoc />
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (RequestContext.Get(RequestIdKey) is string id && _active.TryGetValue(id, out var count)) Interlocked.Increment(ref count.Value);
        return context.Invoke();
    }

    private sealed class Count
    {
        public int Value;
    }
}
