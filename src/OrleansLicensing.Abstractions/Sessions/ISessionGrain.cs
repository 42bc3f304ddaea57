using Orleans.Concurrency;

namespace OrleansLicensing.Sessions;

/// <summary>A successful heartbeat of a session.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionActivity(
    [property: Id(0)] string AppId,
    [property: Id(1)] string LicenseKey,
    [property: Id(2)] string Hwid,
    [property: Id(3)] long Ttl,
    [property: Id(4)] string Ip,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] long ExpiresAt,
    [property: Id(7)] long Heartbeats = 1);

/// <summary>Observability record of one session (docs/protocol.md §5.5).</summary>
[GenerateSerializer, Immutable]
public sealed record SessionRecord(
    [property: Id(0)] string Sid,
    [property: Id(1)] string AppId,
    [property: Id(2)] string LicenseKey,
    [property: Id(3)] string Hwid,
    [property: Id(4)] long Ttl,
    [property: Id(5)] DateTimeOffset? StartedAt,
    [property: Id(6)] DateTimeOffset LastSeenAt,
    [property: Id(7)] string LastIp,
    [property: Id(8)] long Heartbeats,
    [property: Id(9)] long ExpiresAt);

/// <summary>
/// Per-session observability (last heartbeat, IP, count) while the session heartbeats. Session
/// tokens are self-contained, so a heartbeat never depends on this record: it is updated one-way
/// and held in memory only. Keyed by <see cref="KeyFor"/>.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>The grain key of a session id.</summary>
    public static string KeyFor(string sid) => "ses_" + sid;

    /// <summary>Records activity; fire-and-forget.</summary>
    [OneWay]
    Task Record(SessionActivity activity);

    /// <summary>The record, or <c>null</c> if none was kept.</summary>
    Task<SessionRecord?> Get();
}
