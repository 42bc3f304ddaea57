using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Sessions;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The buffer between heartbeats and their session grains. Draining hands each session over through
/// a callback here (the service's own callback sends it to the grain, one-way), so no grain is needed.
/// </summary>
public sealed class SessionActivityBufferTests
{
    private static readonly SessionActivity Heartbeat = new("app-1", "AAAA-BBBB-CCCC-DDDD", "hw-1", 300, "203.0.113.7", DateTimeOffset.UnixEpoch, 1000);

    private static SessionActivityBuffer NewBuffer() => new(null!, TimeProvider.System, NullLogger<SessionActivityBuffer>.Instance);

    [Fact]
    public void A_drain_hands_each_session_over_once_with_its_latest_activity_and_the_heartbeats_since_the_last_drain()
    {
        var buffer = NewBuffer();
        buffer.Record("s1", Heartbeat);
        buffer.Record("s1", Heartbeat with { Ip = "198.51.100.2", At = DateTimeOffset.UnixEpoch.AddMinutes(1) });
        buffer.Record("s2", Heartbeat);

        var handed = new List<(string Sid, SessionActivity Activity)>();
        buffer.Drain((sid, activity) => handed.Add((sid, activity)));
        buffer.Drain((sid, activity) => handed.Add((sid, activity)));

        Assert.Equal(2, handed.Count);
        Assert.Equal(Heartbeat with { Ip = "198.51.100.2", At = DateTimeOffset.UnixEpoch.AddMinutes(1), Heartbeats = 2 }, handed.Single(h => h.Sid == "s1").Activity);
        Assert.Equal(Heartbeat, handed.Single(h => h.Sid == "s2").Activity);
    }

    [Fact]
    public async Task Heartbeats_recorded_while_the_buffer_drains_are_all_handed_over_exactly_once()
    {
        var buffer = NewBuffer();
        const int writers = 4;
        const int perWriter = 50_000;
        long handedOver = 0;
        void Count(string sid, SessionActivity activity) => Interlocked.Add(ref handedOver, activity.Heartbeats);

        var recording = Enumerable.Range(0, writers)
            .Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < perWriter; i++) buffer.Record("s" + (i % 8), Heartbeat);
            }, TestContext.Current.CancellationToken))
            .ToArray();
        var drains = 0;
        var draining = Task.Run(() =>
        {
            while (!recording.All(t => t.IsCompleted))
            {
                buffer.Drain(Count);
                drains++;
            }
        }, TestContext.Current.CancellationToken);
        await Task.WhenAll(recording);
        await draining;
        buffer.Drain(Count);

        Assert.True(drains > 10, $"only {drains} drains ran while heartbeats were recorded");
        Assert.Equal(writers * perWriter, Interlocked.Read(ref handedOver));
    }
}
