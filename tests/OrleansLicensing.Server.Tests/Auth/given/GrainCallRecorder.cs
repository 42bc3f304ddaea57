using System.Diagnostics.Metrics;

namespace OrleansLicensing.Server.Auth.given;

/// <summary>
/// Records what one server's <c>licensing.auth.grain_calls</c> histogram records: the instrument of
/// the meter factory it is given only, so other servers in the same test process are not heard.
/// </summary>
public sealed class GrainCallRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Endpoint, int Calls)> _counts = [];

    public GrainCallRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == GrainCallsPerRequest.InstrumentName && ReferenceEquals(instrument.Meter.Scope, factory)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            var endpoint = "";
            foreach (var tag in tags) if (tag.Key == "endpoint") endpoint = (string)tag.Value!;
            lock (_counts) _counts.Add((endpoint, value));
        });
        _listener.Start();
    }

    /// <summary>The recordings so far, in order.</summary>
    public (string Endpoint, int Calls)[] Counts
    {
        get
        {
            lock (_counts) return [.. _counts];
        }
    }

    /// <summary>
    /// The counts once <paramref name="requests"/> requests are recorded: a request's count is
    /// recorded when its handling ends, which can be just after the client has its answer.
    /// </summary>
    public async Task<(string Endpoint, int Calls)[]> CountsOf(int requests)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Counts.Length < requests && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(50); // and nothing more arrives
        return Counts;
    }

    public void Dispose() => _listener.Dispose();
}
