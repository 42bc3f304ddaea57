namespace OrleansLicensing.Sessions;

/// <summary>
/// Live observability record of one session in server-heartbeat mode: last heartbeat, IP and count.
/// Kept in memory only: tokens are self-contained (docs/protocol.md §5.5), so nothing depends on it,
/// and storing it would put a storage read and write on sessions that are gone minutes later. Only
/// heartbeats record here, one-way; a validate's own activity is on the license's HWID entry, so a
/// launch spike of validates creates no session activations at all.
/// </summary>
public sealed class SessionGrain : Grain, ISessionGrain
{
    private readonly SessionState _state = new();

    public Task Record(SessionActivity activity)
    {
        var s = _state;
        s.AppId = activity.AppId;
        s.LicenseKey = activity.LicenseKey;
        s.Hwid = activity.Hwid;
        s.Ttl = activity.Ttl;
        s.ExpiresAt = activity.ExpiresAt;
        s.LastIp = activity.Ip;
        s.StartedAt ??= activity.At;
        if (activity.At > s.LastSeenAt) s.LastSeenAt = activity.At;
        s.Heartbeats += activity.Heartbeats;
        return Task.CompletedTask;
    }

    public Task<SessionRecord?> Get()
    {
        var s = _state;
        if (s.AppId.Length == 0) return Task.FromResult<SessionRecord?>(null);
        var sid = this.GetPrimaryKeyString()["ses_".Length..];
        return Task.FromResult<SessionRecord?>(new SessionRecord(sid, s.AppId, s.LicenseKey, s.Hwid, s.Ttl, s.StartedAt, s.LastSeenAt, s.LastIp, s.Heartbeats, s.ExpiresAt));
    }
}

/// <summary>In-memory state of <see cref="SessionGrain"/>.</summary>
public sealed class SessionState
{
    public string AppId { get; set; } = "";
    public string LicenseKey { get; set; } = "";
    public string Hwid { get; set; } = "";
    public long Ttl { get; set; }
    /// <summary>First activity this activation saw (the session's first heartbeat, or later after a restart).</summary>
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public string LastIp { get; set; } = "";
    public long Heartbeats { get; set; }
    public long ExpiresAt { get; set; }
}
