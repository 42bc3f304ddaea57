using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansLicensing.Accounts;
using OrleansLicensing.Events;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Licenses;

/// <summary>
/// One license. Not reentrant: validates, heartbeats and management changes of one license run one
/// after another, so slot counting needs no locks (reads marked <c>AlwaysInterleave</c> do not wait).
/// </summary>
/// <remarks>
/// <para>Binding a new HWID and debiting its credit commit together although they live in two
/// grains: the license first stores an <em>intent</em> (reserving the slot), then asks the account
/// to debit under the intent's id. The account's decision is the commit point. If the license
/// never learns it (crash, timeout), the next call first asks the account to resolve the intent,
/// which either reports the debit or records the id as aborted so a late debit is refused. A
/// billable heartbeat works the same way with the heartbeat counter.</para>
/// <para>Observability data (last seen, last IP, last validated, non-billable heartbeat counts) is
/// written lazily: once a minute when changed, and on deactivation.</para>
/// <para>Webhook events are added to the state's outbox by the change that raises them and committed
/// by the same write (<see cref="LicenseState.Projection"/>); <c>license.validated</c> rides on the
/// account's debit, which is that validate's commit point.</para>
/// </remarks>
public sealed partial class LicenseGrain(
    [PersistentState("license", Storage.LicensingStorage.Name)] IPersistentState<LicenseState> state,
    TimeProvider time,
    IHeartbeatCounterStore heartbeatCounters,
    Microsoft.Extensions.Options.IOptions<LicenseOptions> options,
    ILogger<LicenseGrain> logger) : Grain, ILicenseGrain
{
    /// <summary>Recorded HWIDs per unlimited license (docs/protocol.md §1.3).</summary>
    internal const int MaxRecordedHwids = 1000;

    private readonly List<string> _forgettable = [];
    private bool _dirty;
    private IGrainTimer? _flushTimer;
    private bool _needsResolution;
    private bool _broken;

    private LicenseState S => state.State;
    private bool Exists => S.Created && !S.Deleted;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await AdoptStoredStateAsync();
    }

    /// <summary>
    /// Marks a change that is stored lazily (last seen, last IP, the heartbeat count of a non-billable
    /// heartbeat), flushed by a timer within one to two <see cref="LicenseOptions.LastSeenFlushInterval"/>s, or on deactivation.
    /// The timer is registered with the first such change: an activation that only binds, or is only read,
    /// keeps no timer (a launch spike of 100,000 activations was 100,000 timers for .NET's timer queue to
    /// walk, docs/benchmarks.md, stop 32).
    /// </summary>
    private void MarkDirty()
    {
        _dirty = true;
        if (_flushTimer is not null) return;
        // A random first tick spreads the flushes of licenses changed together (a launch spike)
        // over the interval instead of queueing them all for the storage at the same moment.
        var interval = options.Value.LastSeenFlushInterval;
        var firstFlush = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
        _flushTimer = this.RegisterGrainTimer(FlushAsync, interval + firstFlush, interval);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && !_broken)
        {
            try { await WriteAsync(); }
            catch (Exception error) { LogFlushFailed(error, S.LicenseKey); }
        }
    }

    public async Task<LicenseSnapshot?> Create(CreateLicense command)
    {
        ThrowIfBroken();
        if (S.Created) return null;
        S.Created = true;
        S.LicenseKey = this.GetPrimaryKeyString()["lic_".Length..];
        S.AppId = command.AppId;
        S.AccountId = command.AccountId;
        S.Status = LicenseStatus.Active;
        S.ExpiresAt = command.ExpiresAt;
        S.MaxHwidSlots = command.MaxHwidSlots;
        S.UnlimitedHwidSlots = command.UnlimitedHwidSlots;
        S.Label = command.Label;
        S.Variables = [.. Variables.Normalize(command.Variables)];
        S.CreatedAt = time.GetUtcNow();
        Raise(WebhookEvents.LicenseCreated, S.CreatedAt);
        await WriteAsync();
        return Snapshot();
    }

    public Task<LicenseSnapshot?> Get() => Task.FromResult(Exists && !_broken ? Snapshot() : null);

    public Task<bool> ExistsIn(string appId) => Task.FromResult(Exists && S.AppId == appId);

    public async Task<LicenseSnapshot?> Change(LicenseChange change)
    {
        ThrowIfBroken();
        await ResolveIntentsAsync();
        if (!Exists) return null;
        var now = time.GetUtcNow();
        switch (change.Action)
        {
            case LicenseAction.Revoke:
                if (S.Status == LicenseStatus.Revoked) break;
                S.Status = LicenseStatus.Revoked;
                Raise(WebhookEvents.LicenseRevoked, now, EventField.Text("reason", change.Reason ?? "api"));
                break;
            case LicenseAction.Activate:
                if (S.Status == LicenseStatus.Active) break;
                S.Status = LicenseStatus.Active;
                Raise(WebhookEvents.LicenseActivated, now, EventField.Text("reason", "reactivated"));
                break;
            case LicenseAction.Extend:
                S.ExpiresAt = change.ExpiresAt;
                break;
            case LicenseAction.ResetHwid:
                // Nothing bound, nothing changes: no license.hwid_reset (an event is a state change's, once).
                if (S.Hwids.Count == 0) break;
                var cleared = S.Hwids.Count;
                S.Hwids.Clear();
                Raise(WebhookEvents.LicenseHwidReset, now, EventField.Number("clearedHwids", cleared));
                break;
            case LicenseAction.Update:
                if (change.SetExpiresAt) S.ExpiresAt = change.ExpiresAt;
                if (change.MaxHwidSlots is { } slots) S.MaxHwidSlots = slots;
                if (change.UnlimitedHwidSlots is { } unlimited) S.UnlimitedHwidSlots = unlimited;
                if (change.SetLabel) S.Label = change.Label;
                if (change.Variables is { } variables) S.Variables = [.. Variables.Normalize(variables)];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Action, "Unknown license action.");
        }
        await WriteAsync();
        return Snapshot();
    }

    public async Task<bool> Delete()
    {
        ThrowIfBroken();
        await ResolveIntentsAsync();
        if (!Exists) return false;
        S.Deleted = true;
        Raise(WebhookEvents.LicenseDeleted, time.GetUtcNow());
        await WriteAsync();
        return true;
    }

    public async Task<bool> ObserveExpiry()
    {
        ThrowIfBroken();
        await ResolveIntentsAsync();
        var now = time.GetUtcNow();
        if (!Exists || !IsExpired(now) || S.ExpiryNotifiedFor == S.ExpiresAt) return false;
        S.ExpiryNotifiedFor = S.ExpiresAt;
        Raise(WebhookEvents.LicenseExpired, now);
        await WriteAsync();
        return true;
    }

    /// <summary>Adds an event about this license to the outbox; the next write commits it.</summary>
    private void Raise(string type, DateTimeOffset at, params EventField[] details) =>
        S.Outbox.Add(OutboxEvent.New(type, S.AccountId, S.AppId, at, [.. LicenseFields(), .. details]));

    private EventField[] LicenseFields() =>
    [
        EventField.Text("licenseKey", S.LicenseKey),
        EventField.Text("appId", S.AppId),
        EventField.Text("status", S.Status == LicenseStatus.Revoked ? "revoked" : "active"),
        EventField.Time("expiresAt", S.ExpiresAt),
        EventField.Text("label", S.Label),
    ];

    private bool IsExpired(DateTimeOffset now) => S.ExpiresAt is { } at && at <= now;

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty || _broken) return;
        try { await WriteAsync(); }
        catch (Exception error) { LogFlushFailed(error, S.LicenseKey); }
    }

    /// <summary>
    /// Stores the whole state. On failure the state is re-read, so memory never holds a change that
    /// is not stored (lazy observability data since the last write is dropped). Intents dropped from
    /// memory before this write are confirmed to the account once it is durable.
    /// </summary>
    private async Task WriteAsync()
    {
        var confirmed = _forgettable.Count > 0 ? _forgettable.ToArray() : null;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception error)
        {
            if (error is InconsistentStateException) DeactivateOnIdle();
            await ReloadAsync();
            throw;
        }
        _dirty = false;
        EventOutbox.Committed(S.Outbox, GrainFactory);
        if (confirmed is null) return;
        _forgettable.RemoveRange(0, confirmed.Length);
        _ = ConfirmAsync(confirmed);
    }

    private async Task ConfirmAsync(string[] intentIds)
    {
        try { await Account.ForgetIntents(intentIds); }
        catch (Exception error) { LogConfirmFailed(error, S.LicenseKey); }
    }

    /// <summary>
    /// The state as read from storage (on activation, and again after a failed write), made current:
    /// <list type="bullet">
    /// <item>Heartbeats are made durable by the stored counter (raised before each is acknowledged),
    /// not by this state's lazy write: the count is the higher of the two. Without this after a
    /// failed write, heartbeats already counted would be counted again and a billable one skipped.</item>
    /// <item>Events in a stored state went into <c>licensing_events</c> with the write that stored
    /// them; carried again, the next write would project them again, which once the events' rows
    /// have been pruned (webhook retention) would send them twice.</item>
    /// <item>A stored intent is decided before anything else runs.</item>
    /// </list>
    /// </summary>
    private async Task AdoptStoredStateAsync()
    {
        if (S.Created) S.HeartbeatCount = Math.Max(S.HeartbeatCount, await heartbeatCounters.ReadAsync(S.LicenseKey));
        S.Outbox.Clear();
        _needsResolution = S.Intents.Count > 0;
    }

    private async Task ReloadAsync()
    {
        _dirty = false;
        _forgettable.Clear();
        try
        {
            await state.ReadStateAsync();
            await AdoptStoredStateAsync();
        }
        catch (Exception error)
        {
            _broken = true;
            LogReloadFailed(error, S.LicenseKey);
            DeactivateOnIdle();
        }
    }

    private void ThrowIfBroken()
    {
        if (_broken) throw new InvalidOperationException("License state unavailable after a failed write; retry.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "License {LicenseKey}: storing state failed")]
    private partial void LogFlushFailed(Exception error, string licenseKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "License {LicenseKey}: confirming decided intents to the account failed (it keeps them until it prunes them)")]
    private partial void LogConfirmFailed(Exception error, string licenseKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "License {LicenseKey}: re-reading state after a failed write failed; deactivating")]
    private partial void LogReloadFailed(Exception error, string licenseKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "License {LicenseKey}: intent {IntentId} ({Kind}) resolved as {Outcome}")]
    private partial void LogIntentResolved(string licenseKey, string intentId, LicenseIntentKind kind, IntentOutcome outcome);
}
