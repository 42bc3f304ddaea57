namespace OrleansLicensing.Sessions;

/// <summary>
/// Observability record of one session. Updated one-way by validate and heartbeat; stored only on
/// deactivation, so heartbeats cost no storage write. A missing record never fails a heartbeat
/// (auth-protocol.md §5.5).
/// </summary>
public sealed class SessionGrain(
    [PersistentState("session", Storage.LicensingStorage.Name)] IPersistentState<SessionState> state) : Grain, ISessionGrain
{
    private bool _dirty;

    public Task Record(SessionActivity activity)
    {
        var s = state.State;
        s.AppId = activity.AppId;
        s.LicenseKey = activity.LicenseKey;
        s.Hwid = activity.Hwid;
        s.Ttl = activity.Ttl;
        s.ExpiresAt = activity.ExpiresAt;
        s.LastIp = activity.Ip;
        if (activity.At > s.LastSeenAt) s.LastSeenAt = activity.At;
        if (activity.IsHeartbeat) s.Heartbeats++;
        else s.StartedAt ??= activity.At;
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task<SessionRecord?> Get()
    {
        var s = state.State;
        if (s.AppId.Length == 0) return Task.FromResult<SessionRecord?>(null);
        var sid = this.GetPrimaryKeyString()["ses_".Length..];
        return Task.FromResult<SessionRecord?>(new SessionRecord(sid, s.AppId, s.LicenseKey, s.Hwid, s.Ttl, s.StartedAt, s.LastSeenAt, s.LastIp, s.Heartbeats, s.ExpiresAt));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty) await state.WriteStateAsync(cancellationToken);
    }
}

/// <summary>Stored form of <see cref="SessionGrain"/>.</summary>
[GenerateSerializer]
public sealed class SessionState
{
    [Id(0)] public string AppId { get; set; } = "";
    [Id(1)] public string LicenseKey { get; set; } = "";
    [Id(2)] public string Hwid { get; set; } = "";
    [Id(3)] public long Ttl { get; set; }
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }
    [Id(5)] public DateTimeOffset LastSeenAt { get; set; }
    [Id(6)] public string LastIp { get; set; } = "";
    [Id(7)] public long Heartbeats { get; set; }
    [Id(8)] public long ExpiresAt { get; set; }
}
