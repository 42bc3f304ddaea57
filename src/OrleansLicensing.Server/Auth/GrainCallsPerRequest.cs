using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Counts the grain calls each <c>/auth</c> request makes on its silo (its own calls and those of
/// the grains it calls, which carry its request id in the Orleans request context) and records the
/// count in the histogram <c>licensing.auth.grain_calls</c>, tagged with the endpoint. The design
/// budget (docs/design.md, "The request path") is two for a validate of a bound HWID and for a
/// non-billable heartbeat; this is how that is watched in production and guarded in tests. Calls a
/// grain on another silo makes are not seen here.
/// </summary>
public sealed class GrainCallsPerRequest : IOutgoingGrainCallFilter
{
    /// <summary>The request-context key of the <c>/auth</c> request a call belongs to.</summary>
    public const string RequestIdKey = "licensing-request-id";

    /// <summary>Name of the histogram.</summary>
    public const string InstrumentName = OrleansLicensing.Diagnostics.LicensingMetrics.AuthGrainCalls;

    private readonly ConcurrentDictionary<string, Count> _active = new(StringComparer.Ordinal);
    private readonly Histogram<int> _calls;

    public GrainCallsPerRequest(OrleansLicensing.Diagnostics.LicensingMetrics metrics) => _calls = metrics.GrainCalls;

    /// <summary>Starts counting for <paramref name="requestId"/>; the calls it makes from here on carry the id.</summary>
    public void Begin(string requestId)
    {
        _active[requestId] = new Count();
        RequestContext.Set(RequestIdKey, requestId);
    }

    /// <summary>Stops counting and records the request's count.</summary>
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
