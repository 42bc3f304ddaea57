using OrleansLicensing.Accounts.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sessions;

[Collection(AccountCluster.Name)]
public sealed class SessionGrainTests(SqliteGrainCluster cluster)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private ISessionGrain Session(string sid) => cluster.Grains.GetGrain<ISessionGrain>(ISessionGrain.KeyFor(sid));

    [Fact]
    public async Task A_session_that_never_heartbeat_has_no_record()
    {
        Assert.Null(await Session(Guid.NewGuid().ToString("N")).Get());
    }

    [Fact]
    public async Task Heartbeats_add_up_keep_the_first_start_the_latest_time_and_the_last_ip()
    {
        var sid = Guid.NewGuid().ToString("N");
        var session = Session(sid);

        await session.Record(new SessionActivity("app-1", "AAAA-BBBB-CCCC-DDDD", "hw-1", 300, "203.0.113.7", Start, 1000));
        // Record is one-way, and Orleans does not order one-way messages: the first must have landed
        // before the next are sent, or the session may start at a later one.
        await Eventually.True(async () => (await session.Get())?.Heartbeats == 1, TimeSpan.FromSeconds(10));
        await session.Record(new SessionActivity("app-1", "AAAA-BBBB-CCCC-DDDD", "hw-1", 300, "198.51.100.2", Start.AddMinutes(2), 1120, Heartbeats: 3));
        // A late report of an earlier heartbeat counts, but does not move the last-seen time back.
        await session.Record(new SessionActivity("app-1", "AAAA-BBBB-CCCC-DDDD", "hw-1", 300, "198.51.100.2", Start.AddMinutes(1), 1120));

        SessionRecord? record = null;
        await Eventually.True(async () => (record = await session.Get())?.Heartbeats == 5, TimeSpan.FromSeconds(10));
        Assert.Equal(new SessionRecord(sid, "app-1", "AAAA-BBBB-CCCC-DDDD", "hw-1", 300, Start, Start.AddMinutes(2), "198.51.100.2", 5, 1120), record);
    }
}
