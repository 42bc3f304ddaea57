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

    // The per-license buckets (docs/protocol.md §14: V8 and H10), keyed by the asking app: one
    // activation per license in the cluster makes them exact. A bucket lost with its activation
    // (collected after minutes of quiet) would have refilled anyway.
    private readonly Dictionary<string, Limits.TokenBucket> _validateBuckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Limits.TokenBucket> _heartbeatBuckets = new(StringComparer.Ordinal);

    // The nonce of the last validate that took a V8 token here: the edge's repeat of that request
    // after a silo loss (LicenseValidation.Repeat) takes no second one. Repeats are sequential (the
    // edge awaits each attempt) and this grain takes one call at a time, so the last one suffices.
    private string? _lastValidateToken;

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

    public async Task<LicenseVerdict> Validate(LicenseValidation request)
    {
        ThrowIfBroken();
        if (request.LicenseBucket is { } bucket && !(request.Repeat && request.Nonce.Length > 0 && request.Nonce == _lastValidateToken))
        {
            if (Take(_validateBuckets, request.AppId, bucket) is { Allowed: false } refused)
            {
                return new LicenseVerdict(LicenseVerdictCode.RateLimited, null, refused.RetryAfterSeconds);      // V8
            }
            _lastValidateToken = request.Nonce;
        }
        await ResolveIntentsAsync();
        var nonce = string.IsNullOrEmpty(request.Nonce) ? null : request.Nonce;
        var now = time.GetUtcNow();

        // V10–V13 decide nothing durable, so they are evaluated first; the replay step (V9) still
        // comes before their answer: a failing license only records the nonce, a passing one has the
        // account record it with the debit, in one write.
        var bound = Exists && IndexOf(request.Hwid) >= 0;
        var refusal = !Exists || S.AppId != request.AppId ? LicenseVerdictCode.InvalidKey                      // V10
            : S.Status == LicenseStatus.Revoked ? LicenseVerdictCode.Revoked                                    // V11
            : IsExpired(now) ? LicenseVerdictCode.Expired                                                       // V12
            : !bound && !S.UnlimitedHwidSlots && S.Hwids.Count >= S.MaxHwidSlots ? LicenseVerdictCode.HwidMismatch // V13
            : LicenseVerdictCode.Ok;
        if (refusal != LicenseVerdictCode.Ok)
        {
            var accountId = Exists && S.AppId == request.AppId ? S.AccountId : request.AccountId;
            if (nonce is not null && accountId.Length > 0
                && !await GrainFactory.Reference<IDeveloperAccountGrain>(accountId).RecordNonce(request.AppId, nonce))
            {
                return LicenseVerdict.Fail(LicenseVerdictCode.ReplayDetected);                                 // V9
            }
            return LicenseVerdict.Fail(refusal);
        }

        if (bound)
        {
            // Already bound: the debit (with the nonce) is the only durable effect, group-committed by the account.
            var debit = await Account.DebitUsage(new UsageDebit(
                S.AppId, S.LicenseKey, CreditEntryKind.Validate, request.DailyCreditCap, null, ValidatedEvent(request, now), nonce));
            if (debit.Status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(debit.Status));     // V9, V14, V15
            Touch(request.Hwid, request.Ip, now);
            S.LastValidatedAt = now;
            MarkDirty();
            return Ok();
        }

        // V14–V16 for a new HWID: reserve the slot durably, then let the account decide.
        var intent = new LicenseIntent(NewIntentId(), LicenseIntentKind.Bind, request.Hwid, request.Ip, now);
        var status = await CommitIntentAsync(intent, CreditEntryKind.Validate, request.DailyCreditCap, ValidatedEvent(request, now), nonce);
        if (status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(status));
        S.LastValidatedAt = now;
        _forgettable.Add(intent.IntentId);
        await WriteAsync();
        return Ok();
    }

    public async Task<LicenseVerdict> Heartbeat(LicenseHeartbeat request)
    {
        ThrowIfBroken();
        if (request.LicenseBucket is { } bucket && Take(_heartbeatBuckets, request.AppId, bucket) is { Allowed: false } refused)
        {
            return new LicenseVerdict(LicenseVerdictCode.RateLimited, null, refused.RetryAfterSeconds);          // H10
        }
        await ResolveIntentsAsync();
        if (!Exists || S.AppId != request.AppId) return LicenseVerdict.Fail(LicenseVerdictCode.SessionExpired); // H11
        var now = time.GetUtcNow();
        if (S.Status == LicenseStatus.Revoked) return LicenseVerdict.Fail(LicenseVerdictCode.Revoked);            // H12
        if (IsExpired(now)) return LicenseVerdict.Fail(LicenseVerdictCode.Expired);                              // H13
        if (!S.UnlimitedHwidSlots && IndexOf(request.Hwid) < 0) return LicenseVerdict.Fail(LicenseVerdictCode.SessionExpired); // H14

        var billable = (S.HeartbeatCount + 1) % Math.Max(1, request.BillingInterval) == 0;
        if (!billable)
        {
            // Counted durably before it is acknowledged (the silo's group-committed counter write),
            // so a crash of this silo cannot lose it (§13.5). No call to the account: nothing is debited.
            await heartbeatCounters.RaiseAsync(S.LicenseKey, S.HeartbeatCount + 1);
            S.HeartbeatCount++;
            Touch(request.Hwid, request.Ip, now);
            MarkDirty();
            return Ok();
        }

        // H15–H17: the account's debit decides, and the same group-committed write of the account
        // raises the stored counter to this ordinal, so a crash cannot separate them (§13.5).
        var status = await BillHeartbeatAsync(S.HeartbeatCount + 1, request.DailyCreditCap);
        if (status != UsageDebitStatus.Debited) return LicenseVerdict.Fail(Refusal(status));
        Touch(request.Hwid, request.Ip, now);
        MarkDirty();
        return Ok();
    }

    /// <summary>
    /// Debits the billable heartbeat <paramref name="ordinal"/>, with no write of this license. The
    /// account applies a heartbeat debit only while the license's stored counter is below its ordinal,
    /// and raises the counter in the same write: a debit still in flight when this activation died, or
    /// one whose answer was lost, and the next attempt for the same ordinal are billed once.
    /// </summary>
    private async Task<UsageDebitStatus> BillHeartbeatAsync(long ordinal, long? cap)
    {
        var result = await Account.DebitUsage(new UsageDebit(S.AppId, S.LicenseKey, CreditEntryKind.Heartbeat, cap, IntentId: null, HeartbeatOrdinal: ordinal));
        if (result.Status == UsageDebitStatus.Debited) S.HeartbeatCount = Math.Max(S.HeartbeatCount, ordinal);
        return result.Status;
    }

    private IDeveloperAccountGrain Account => GrainFactory.Reference<IDeveloperAccountGrain>(S.AccountId);

    /// <summary>
    /// Stores the intent with its effect reserved (the slot, a pending offline file), then asks the
    /// account to debit under its id and settles it in memory by the answer. A refusal is stored at
    /// once; if that write fails, the next call resolves the intent as aborted.
    /// </summary>
    private async Task<UsageDebitStatus> CommitIntentAsync(LicenseIntent intent, CreditEntryKind kind, long? cap, OutboxEvent? debitEvent, string? nonce)
    {
        S.Intents.Add(intent);
        // The stored intent only reserves the slot; the listing shows the binding once it is decided.
        // With lazy changes pending the write projects them as every other write does.
        S.ListingUnchanged = !_dirty;
        try { await WriteAsync(); }
        finally { S.ListingUnchanged = false; }

        UsageDebitResult result;
        try
        {
            result = await Account.DebitUsage(new UsageDebit(S.AppId, S.LicenseKey, kind, cap, intent.IntentId, debitEvent, nonce));
        }
        catch
        {
            // Outcome unknown (timeout, account failure): the stored intent is decided before the next call.
            _needsResolution = true;
            throw;
        }

        var debited = result.Status == UsageDebitStatus.Debited;
        Settle(intent, debited);
        if (!debited)
        {
            try { await WriteAsync(); }
            catch (Exception error) { LogFlushFailed(error, S.LicenseKey); }
        }
        return result.Status;
    }

    /// <summary>Drops a decided intent from memory: a debited bind binds its HWID, an aborted heartbeat is not counted.</summary>
    private void Settle(LicenseIntent intent, bool debited)
    {
        S.Intents.Remove(intent);
        if (intent.Kind == LicenseIntentKind.IssueOfflineFile) SettleOfflineFile(intent, debited);
        if (debited && intent.Kind == LicenseIntentKind.Bind) Bind(intent);
        if (!debited && intent.Kind == LicenseIntentKind.BillHeartbeat) S.HeartbeatCount--;
    }

    /// <summary>Decides intents left by a crash or an unknown debit outcome, before anything else runs.</summary>
    private async Task ResolveIntentsAsync()
    {
        if (!_needsResolution) return;
        foreach (var intent in S.Intents.ToList())
        {
            var outcome = await Account.ResolveIntent(intent.IntentId);
            Settle(intent, outcome == IntentOutcome.Debited);
            _forgettable.Add(intent.IntentId);
            LogIntentResolved(S.LicenseKey, intent.IntentId, intent.Kind, outcome);
        }
        await WriteAsync();
        _needsResolution = false;
    }

    /// <summary>Binds (or records) the intent's HWID as of the intent's time.</summary>
    private void Bind(LicenseIntent intent)
    {
        var now = intent.At;
        var hwid = intent.Hwid!;
        if (IndexOf(hwid) >= 0) return;
        if (S.UnlimitedHwidSlots && S.Hwids.Count >= MaxRecordedHwids)
        {
            var oldest = 0;
            for (var i = 1; i < S.Hwids.Count; i++)
            {
                if (S.Hwids[i].LastSeenAt < S.Hwids[oldest].LastSeenAt) oldest = i;
            }
            S.Hwids.RemoveAt(oldest);
        }
        S.Hwids.Add(new HwidBinding(hwid, now, now, intent.Ip));
        Raise(WebhookEvents.LicenseHwidBound, now, EventField.Text("hwid", hwid));
        if (!S.EverBound) Raise(WebhookEvents.LicenseActivated, now, EventField.Text("reason", "first_hwid"), EventField.Text("hwid", hwid));
        S.EverBound = true;
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

    /// <summary><c>license.validated</c>, committed by the account together with the validate's debit.</summary>
    private OutboxEvent? ValidatedEvent(LicenseValidation request, DateTimeOffset now) => request.RaiseValidatedEvent
        ? OutboxEvent.New(WebhookEvents.LicenseValidated, S.AccountId, S.AppId, now, [.. LicenseFields(), EventField.Text("hwid", request.Hwid), EventField.Text("ip", request.Ip)])
        : null;

    private void Touch(string hwid, string ip, DateTimeOffset now)
    {
        var index = IndexOf(hwid);
        if (index >= 0) S.Hwids[index] = S.Hwids[index] with { LastSeenAt = now, LastIp = ip };
    }

    private int IndexOf(string hwid)
    {
        var hwids = S.Hwids;
        for (var i = 0; i < hwids.Count; i++)
        {
            if (string.Equals(hwids[i].Hwid, hwid, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private Limits.RateDecision Take(Dictionary<string, Limits.TokenBucket> buckets, string appId, Limits.TokenBucketSpec spec)
    {
        if (!buckets.TryGetValue(appId, out var bucket)) buckets[appId] = bucket = new Limits.TokenBucket(time);
        return bucket.TryTake(spec);
    }

    private bool IsExpired(DateTimeOffset now) => S.ExpiresAt is { } at && at <= now;

    private static LicenseVerdictCode Refusal(UsageDebitStatus status) => status switch
    {
        UsageDebitStatus.NoCredits => LicenseVerdictCode.NoCredits,
        UsageDebitStatus.DailyCapReached => LicenseVerdictCode.DailyCapReached,
        UsageDebitStatus.ReplayDetected => LicenseVerdictCode.ReplayDetected,
        _ => throw new InvalidOperationException($"The account refused a usage debit: {status}."),
    };

    private LicenseVerdict Ok() => new(LicenseVerdictCode.Ok, new LicensePayloadView(
        S.ExpiresAt, S.MaxHwidSlots, S.UnlimitedHwidSlots, S.Hwids.Count, S.Label, S.Variables.ToArray()));

    private LicenseSnapshot Snapshot() => S.ToSnapshot();

    private static string NewIntentId() => "int_" + Guid.NewGuid().ToString("N");

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
