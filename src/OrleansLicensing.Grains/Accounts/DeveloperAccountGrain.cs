using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Storage;
using OrleansLicensing.Events;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>
/// Owns one account's balance and ledger. Reentrant so that concurrent credit changes can share
/// one storage write; all mutations go through <see cref="GroupCommit"/>, which is the only place
/// that touches the state, so the invariants need no locks.
/// </summary>
[Reentrant]
public sealed partial class DeveloperAccountGrain : Grain, IDeveloperAccountGrain
{
    /// <summary>Entries per sealed ledger page.</summary>
    internal const int LedgerPageSize = 256;

    /// <summary>How long an applied operation id is remembered for idempotent retries.</summary>
    internal static readonly TimeSpan OperationRetention = TimeSpan.FromHours(24);

    /// <summary>Upper bound on remembered operation ids, to bound the state size.</summary>
    internal const int MaxRecordedOperations = 20_000;

    /// <summary>How long a decided intent is kept when its license never confirms it.</summary>
    internal static readonly TimeSpan IntentRetention = TimeSpan.FromDays(30);

    private readonly IPersistentState<DeveloperAccountState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<DeveloperAccountGrain> _logger;
    private readonly GroupCommit _commit;
    private readonly AccountOptions _options;
    private readonly Dictionary<string, RecordedOperation> _operations = new(StringComparer.Ordinal);
    private readonly IReplayWindowStore _replayWindow;
    private readonly Views.AuthViewBroadcast _views;
    private readonly Diagnostics.LicensingMetrics _metrics;

    // The replay step (§6): nonces of queued calls, looked up in the stored window once per batch.
    private List<(string AppId, string Nonce)> _nonceLookups = [];
    private IReadOnlySet<(string AppId, string Nonce)> _recordedNonces = new HashSet<(string, string)>();
    private readonly HashSet<(string AppId, string Nonce)> _batchNonces = [];

    // Billable heartbeats: the stored counters of the batch's licenses, read once per batch. A debit
    // for an ordinal the counter already reached was applied before (by this or a dead activation of
    // the license) and is not applied again.
    private readonly IHeartbeatCounterStore _heartbeatCounters;
    private HashSet<string> _counterLookups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _storedCounters = new(StringComparer.Ordinal);

    public DeveloperAccountGrain(
        [PersistentState("account", LicensingStorage.Name)] IPersistentState<DeveloperAccountState> state,
        TimeProvider time,
        ILogger<DeveloperAccountGrain> logger,
        Microsoft.Extensions.Options.IOptions<AccountOptions> options,
        IReplayWindowStore replayWindow,
        IHeartbeatCounterStore heartbeatCounters,
        Views.AuthViewBroadcast views,
        Diagnostics.LicensingMetrics metrics)
    {
        _metrics = metrics;
        _heartbeatCounters = heartbeatCounters;
        _options = options.Value;
        _state = state;
        _time = time;
        _logger = logger;
        _replayWindow = replayWindow;
        _views = views;
        _commit = new GroupCommit(WriteAsync, ReloadAsync, _options.GroupCommitWindow, time, PrepareBatchAsync, metrics, _options.GroupCommitBatch);
    }

    /// <summary>The replay window of docs/protocol.md §1.3.</summary>
    internal static readonly TimeSpan ReplayWindow = TimeSpan.FromHours(24);

    private DeveloperAccountState S => _state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        AdoptStoredState();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The state as read from storage (on activation, and again after a failed write). Its outbox
    /// events, nonces and counter raises were projected by the write that stored them; carried again,
    /// the next write would project them again, which once the events' rows have been pruned (webhook
    /// retention) would send those webhooks twice.
    /// </summary>
    private void AdoptStoredState()
    {
        S.Outbox.Clear();
        S.PendingNonces.Clear();
        S.PendingHeartbeatCounts.Clear();
        IndexOperations();
    }

    public async Task<CreateAccountResult> Create(CreateAccount command)
    {
        var result = await _commit.Enqueue(() =>
        {
            if (S.Created) return (new CreateAccountResult(CreateAccountStatus.AlreadyExists, Snapshot()), false);

            var now = _time.GetUtcNow();
            S.Created = true;
            S.AccountId = this.GetPrimaryKeyString();
            S.Name = command.Name;
            S.Email = command.Email;
            S.Status = AccountStatus.Active;
            S.CreatedAt = now;
            S.ApiKeys.Add(command.FirstApiKey);
            if (command.InitialCredits > 0)
            {
                AppendEntry(CreditEntryKind.Grant, command.InitialCredits, "initial credits", null, null, now);
            }
            return (new CreateAccountResult(CreateAccountStatus.Created, Snapshot()), true);
        });

        if (result.Status == CreateAccountStatus.Created)
        {
            var key = command.FirstApiKey;
            await GrainFactory.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash))
                .Register(new ApiKeyBinding(S.AccountId, key.ApiKeyId, key.Scopes, key.ExpiresAt));
        }
        return result;
    }

    public Task<AccountSnapshot?> Get()
    {
        _commit.ThrowIfBroken();
        return Task.FromResult(S.Created ? Snapshot() : null);
    }

    public Task<CreditChangeResult> ChangeCredits(CreditChange change)
    {
        if (!AmountFitsKind(change)) return Task.FromResult(new CreditChangeResult(CreditChangeStatus.InvalidAmount, S.Balance, null, false));

        return _commit.Enqueue(() =>
        {
            if (!S.Created) return (new CreditChangeResult(CreditChangeStatus.AccountNotFound, 0, null, false), false);

            var now = _time.GetUtcNow();
            if (_operations.TryGetValue(change.OperationId, out var earlier))
            {
                return (new CreditChangeResult(CreditChangeStatus.Applied, earlier.BalanceAfter, CreditEntry.FormatEntryId(earlier.Sequence), Replayed: true), false);
            }
            if (change.Amount > 0 && S.Balance > long.MaxValue - change.Amount)
            {
                return (new CreditChangeResult(CreditChangeStatus.BalanceTooLarge, S.Balance, null, false), false);
            }
            if (S.Balance + change.Amount < 0)
            {
                return (new CreditChangeResult(CreditChangeStatus.InsufficientCredits, S.Balance, null, false), false);
            }

            var entry = AppendEntry(change.Kind, change.Amount, change.Reason, change.AppId, change.LicenseKey, now);
            RecordOperation(new RecordedOperation(change.OperationId, entry.Sequence, S.Balance, now));
            return (new CreditChangeResult(CreditChangeStatus.Applied, S.Balance, entry.EntryId, Replayed: false), true);
        });
    }

    public Task<UsageDebitResult> DebitUsage(UsageDebit debit)
    {
        if (debit.Nonce is { } nonce) _nonceLookups.Add((debit.AppId, nonce));
        if (debit.HeartbeatOrdinal is not null) _counterLookups.Add(debit.LicenseKey);
        return _commit.Enqueue(() =>
        {
            if (!S.Created) return (new UsageDebitResult(UsageDebitStatus.AccountNotFound, 0), false);
            if (debit.HeartbeatOrdinal is { } billed && billed <= CountedHeartbeats(debit.LicenseKey))
            {
                // This heartbeat was billed already (its debit raised the counter): applied at most once.
                return (new UsageDebitResult(UsageDebitStatus.Debited, S.Balance), false);
            }
            if (debit.IntentId is { } known && S.Intents.TryGetValue(known, out var decided))
            {
                // A repeated intent: the first decision stands (applied at most once).
                return (new UsageDebitResult(decided.Debited ? UsageDebitStatus.Debited : UsageDebitStatus.IntentAborted, S.Balance), false);
            }
            var now = _time.GetUtcNow();
            // §8.2: V9 (the replay step) comes before V14 and V15, and records the nonce whatever they decide.
            var nonceRecorded = false;
            if (debit.Nonce is { } fresh)
            {
                if (!TryRecordNonce(debit.AppId, fresh, now)) return (new UsageDebitResult(UsageDebitStatus.ReplayDetected, S.Balance), false);
                nonceRecorded = true;
            }
            // §8.2 V14 before V15: the balance is checked first, then the app's daily cap.
            if (S.Balance < 1) return (new UsageDebitResult(UsageDebitStatus.NoCredits, S.Balance), nonceRecorded);

            var day = now.UtcTicks / TimeSpan.TicksPerDay;
            var today = S.AppDays.TryGetValue(debit.AppId, out var usage) && usage.Day == day ? usage.Debits : 0;
            if (debit.DailyCreditCap is { } cap && today + 1 > cap)
            {
                return (new UsageDebitResult(UsageDebitStatus.DailyCapReached, S.Balance), nonceRecorded);
            }

            AppendEntry(debit.Kind, -1, null, debit.AppId, debit.LicenseKey, now);
            S.AppDays[debit.AppId] = new AppDayUsage(day, today + 1);
            if (debit.IntentId is { } intent) S.Intents[intent] = new IntentRecord(Debited: true, now);
            if (debit.Event is { } raised) S.Outbox.Add(raised);
            // A billable heartbeat: its license's stored counter rises in the same write as the debit.
            if (debit.HeartbeatOrdinal is { } ordinal) RaiseHeartbeatCount(debit.LicenseKey, ordinal);
            return (new UsageDebitResult(UsageDebitStatus.Debited, S.Balance), true);
        });
    }

    public Task<bool> RecordNonce(string appId, string nonce)
    {
        _nonceLookups.Add((appId, nonce));
        return _commit.Enqueue(() =>
        {
            var fresh = TryRecordNonce(appId, nonce, _time.GetUtcNow());
            return (fresh, fresh);
        });
    }

    /// <summary>The license's heartbeat counter: stored before this batch, or raised by a pending write.</summary>
    private long CountedHeartbeats(string licenseKey)
    {
        var stored = _storedCounters.GetValueOrDefault(licenseKey);
        return S.PendingHeartbeatCounts.TryGetValue(licenseKey, out var pending) ? Math.Max(stored, pending) : stored;
    }

    private void RaiseHeartbeatCount(string licenseKey, long count)
    {
        if (S.PendingHeartbeatCounts.TryGetValue(licenseKey, out var pending) && pending >= count) return;
        S.PendingHeartbeatCounts[licenseKey] = count;
    }

    /// <summary>
    /// The replay step: <c>false</c> if the app's window already holds the nonce (stored, or earlier
    /// in this batch); otherwise the nonce joins this batch's write.
    /// </summary>
    private bool TryRecordNonce(string appId, string nonce, DateTimeOffset now)
    {
        if (_recordedNonces.Contains((appId, nonce)) || !_batchNonces.Add((appId, nonce))) return false;
        S.PendingNonces.Add(new RecordedNonce(appId, nonce, now));
        return true;
    }

    /// <summary>
    /// Once per batch, before it is applied: which of its nonces the stored window already holds.
    /// Batches run one at a time and this activation is the only writer of its apps' windows, so a
    /// nonce stored by an earlier batch is found here and one of this batch by <see cref="_batchNonces"/>.
    /// </summary>
    private async Task PrepareBatchAsync()
    {
        // Both lists are taken before the first await: they hold exactly this batch's operations (each
        // call adds its lookup in the turn that queues it). The account is reentrant, so a call that
        // arrives during a read below belongs to the next batch, and so must its lookup.
        var licenses = _counterLookups;
        _counterLookups = new HashSet<string>(StringComparer.Ordinal);
        var lookups = _nonceLookups;
        _nonceLookups = [];
        _storedCounters.Clear();
        if (licenses.Count > 0)
        {
            foreach (var (license, count) in await _heartbeatCounters.ReadAsync(licenses)) _storedCounters[license] = count;
        }
        _batchNonces.Clear();
        _recordedNonces = lookups.Count == 0
            ? new HashSet<(string, string)>()
            : await _replayWindow.FindRecordedAsync(lookups, _time.GetUtcNow() - ReplayWindow);
    }

    public Task<IntentOutcome> ResolveIntent(string intentId) =>
        _commit.Enqueue(() =>
        {
            if (S.Intents.TryGetValue(intentId, out var decided))
            {
                return (decided.Debited ? IntentOutcome.Debited : IntentOutcome.Aborted, false);
            }
            if (!S.Created) return (IntentOutcome.Aborted, false);
            // Not applied: record the abort so that a debit still in flight with this id is refused.
            var now = _time.GetUtcNow();
            S.Intents[intentId] = new IntentRecord(Debited: false, now);
            PruneIntents(now);
            return (IntentOutcome.Aborted, true);
        });

    public Task ForgetIntents(IReadOnlyList<string> intentIds) =>
        _commit.Enqueue(() =>
        {
            var changed = false;
            foreach (var id in intentIds) changed |= S.Intents.Remove(id);
            changed |= PruneIntents(_time.GetUtcNow());
            return (true, changed);
        });

    /// <summary>
    /// Intents a license never confirmed (it was deleted, or its confirmation was lost) are dropped
    /// after <see cref="IntentRetention"/>; a license resolves its intents the next time it runs.
    /// </summary>
    private bool PruneIntents(DateTimeOffset now)
    {
        if (S.Intents.Count == 0) return false;
        var horizon = now - IntentRetention;
        var stale = S.Intents.Where(i => i.Value.At < horizon).Select(i => i.Key).ToList();
        foreach (var id in stale) S.Intents.Remove(id);
        return stale.Count > 0;
    }

    public async Task<AccountSnapshot?> SetStatus(AccountStatus status, string? reason)
    {
        var statusChanged = false;
        var snapshot = await _commit.Enqueue<AccountSnapshot?>(() =>
        {
            if (!S.Created) return (null, false);
            statusChanged = S.Status != status;
            var changed = statusChanged || S.StatusReason != reason;
            S.Status = status;
            S.StatusReason = reason;
            return (Snapshot(), changed);
        });
        // §11.6: every silo's /auth edge sees the new status before the change is acknowledged.
        if (statusChanged) await _views.InvalidateEverywhere(Views.AuthViewKey.Account(this.GetPrimaryKeyString()));
        return snapshot;
    }

    public async Task<CreditLedgerPage> GetLedger(long? beforeSequence, int limit)
    {
        _commit.ThrowIfBroken();
        limit = Math.Clamp(limit, 1, 1000);
        // Snapshot what is needed before awaiting: sealing may move entries while pages are read.
        var sealedCount = (long)S.SealedPages * LedgerPageSize;
        var open = S.Ledger.ToArray();
        var last = sealedCount + open.Length;
        var sequence = beforeSequence is { } before ? Math.Min(before - 1, last) : last;

        var entries = new List<CreditEntry>(limit);
        while (entries.Count < limit && sequence >= 1)
        {
            if (sequence > sealedCount)
            {
                entries.Add(open[sequence - sealedCount - 1]);
                sequence--;
                continue;
            }
            var pageIndex = (sequence - 1) / LedgerPageSize;
            var page = await GrainFactory.GetGrain<ICreditLedgerPageGrain>(LedgerPageKey(S.AccountId, pageIndex)).Read();
            for (var i = (int)(sequence - 1 - pageIndex * LedgerPageSize); i >= 0 && entries.Count < limit; i--)
            {
                entries.Add(page[i]);
                sequence--;
            }
        }
        return new CreditLedgerPage(entries, sequence >= 1 && entries.Count > 0 ? entries[^1].Sequence : null);
    }

    public async Task<ApiKeyAddResult> AddApiKey(ApiKeyRecord key)
    {
        var status = await _commit.Enqueue(() =>
        {
            if (!S.Created) return (ApiKeyAddStatus.AccountNotFound, false);
            if (S.ApiKeys.Any(k => k.ApiKeyId == key.ApiKeyId)) return (ApiKeyAddStatus.Added, false); // a retry
            if (S.ApiKeys.Count >= ApiKeyLimits.MaxKeysPerAccount) return (ApiKeyAddStatus.LimitReached, false);
            S.ApiKeys.Add(key);
            return (ApiKeyAddStatus.Added, true);
        });
        if (status == ApiKeyAddStatus.Added)
        {
            // Listed first, then made to work: every key that authenticates can be listed and revoked.
            await GrainFactory.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash))
                .Register(new ApiKeyBinding(S.AccountId, key.ApiKeyId, key.Scopes, key.ExpiresAt));
        }
        return new ApiKeyAddResult(status);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeys(string? afterId, int limit)
    {
        _commit.ThrowIfBroken();
        IReadOnlyList<ApiKeyRecord> page = [.. S.ApiKeys
            .Where(k => afterId is null || string.CompareOrdinal(k.ApiKeyId, afterId) > 0)
            .OrderBy(k => k.ApiKeyId, StringComparer.Ordinal)
            .Take(Math.Clamp(limit, 1, ApiKeyLimits.MaxKeysPerAccount))];
        return Task.FromResult(page);
    }

    public Task<ApiKeyRecord?> GetApiKey(string apiKeyId)
    {
        _commit.ThrowIfBroken();
        return Task.FromResult(S.ApiKeys.FirstOrDefault(k => k.ApiKeyId == apiKeyId));
    }

    public async Task<ApiKeyRecord?> RevokeApiKey(string apiKeyId)
    {
        _commit.ThrowIfBroken();
        if (S.ApiKeys.FirstOrDefault(k => k.ApiKeyId == apiKeyId) is not { } key) return null;

        // The lookup first: from here on no silo accepts the key. Only then does it leave the list,
        // so a crash in between leaves a listed key that no longer works (revoking again completes it).
        await GrainFactory.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash)).Revoke(_time.GetUtcNow());
        await _commit.Enqueue(() => (true, S.ApiKeys.RemoveAll(k => k.ApiKeyId == apiKeyId) > 0));
        return key;
    }

    internal static string LedgerPageKey(string accountId, long pageIndex) => $"{accountId}/{pageIndex}";

    private static bool AmountFitsKind(CreditChange change) => change.Kind switch
    {
        CreditEntryKind.Grant => change.Amount > 0,
        CreditEntryKind.Correction => change.Amount != 0,
        _ => change.Amount < 0,
    };

    private AccountSnapshot Snapshot() =>
        new(S.AccountId, S.Name, S.Email, S.Status, S.Balance, S.CreatedAt, S.StatusReason);

    /// <summary>
    /// Appends a ledger entry and moves the balance. Usage debits of the same kind and app within
    /// one UTC minute are folded into one entry, which keeps the ledger bounded under heavy traffic
    /// while every delta still sums to the balance.
    /// </summary>
    private CreditEntry AppendEntry(CreditEntryKind kind, long delta, string? reason, string? appId, string? licenseKey, DateTimeOffset now)
    {
        var before = S.Balance;
        S.Balance += delta;
        if (delta < 0) _metrics.Debited(kind, -delta);
        if (before >= _options.CreditsLowThreshold && S.Balance < _options.CreditsLowThreshold)
        {
            S.Outbox.Add(OutboxEvent.New(WebhookEvents.CreditsLow, S.AccountId, null, now,
                EventField.Text("accountId", S.AccountId),
                EventField.Number("credits", S.Balance),
                EventField.Number("threshold", _options.CreditsLowThreshold)));
        }
        if (kind is CreditEntryKind.Validate or CreditEntryKind.Heartbeat
            && S.Ledger.Count > 0
            && S.Ledger[^1] is var lastEntry
            && lastEntry.Kind == kind
            && lastEntry.AppId == appId
            && SameMinute(lastEntry.At, now))
        {
            var merged = lastEntry with
            {
                Delta = lastEntry.Delta + delta,
                Balance = S.Balance,
                LicenseKey = lastEntry.LicenseKey == licenseKey ? licenseKey : null,
            };
            S.Ledger[^1] = merged;
            return merged;
        }

        var entry = new CreditEntry(S.NextSequence++, now, delta, S.Balance, kind, reason, appId, licenseKey);
        S.Ledger.Add(entry);
        return entry;
    }

    private static bool SameMinute(DateTimeOffset a, DateTimeOffset b) =>
        a.UtcTicks / TimeSpan.TicksPerMinute == b.UtcTicks / TimeSpan.TicksPerMinute;

    private void RecordOperation(RecordedOperation operation)
    {
        var horizon = operation.At - OperationRetention;
        var expired = 0;
        while (expired < S.Operations.Count
               && (S.Operations[expired].At < horizon || S.Operations.Count - expired >= MaxRecordedOperations))
        {
            _operations.Remove(S.Operations[expired].OperationId);
            expired++;
        }
        if (expired > 0) S.Operations.RemoveRange(0, expired);

        S.Operations.Add(operation);
        _operations[operation.OperationId] = operation;
    }

    private void IndexOperations()
    {
        _operations.Clear();
        foreach (var operation in S.Operations) _operations[operation.OperationId] = operation;
    }

    private async Task WriteAsync()
    {
        // Seal full pages first: a crash after sealing but before the write below re-seals the same
        // page index with the same entries on a later write, so the ledger is never lost or doubled.
        // The last entry always stays open because usage debits may still be folded into it.
        while (S.Ledger.Count > LedgerPageSize)
        {
            var page = S.Ledger.GetRange(0, LedgerPageSize);
            await GrainFactory.GetGrain<ICreditLedgerPageGrain>(LedgerPageKey(S.AccountId, S.SealedPages)).Store(page);
            S.Ledger.RemoveRange(0, LedgerPageSize);
            S.SealedPages++;
        }
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote this account (e.g. after a partition): this one must not go on.
            DeactivateOnIdle();
            throw;
        }
        // Stored by this write (licensing_replay_nonces, licensing_heartbeat_counts): no longer pending.
        S.PendingNonces.Clear();
        S.PendingHeartbeatCounts.Clear();
        EventOutbox.Committed(S.Outbox, GrainFactory);
    }

    private async Task ReloadAsync()
    {
        try
        {
            await _state.ReadStateAsync();
            AdoptStoredState();
        }
        catch (Exception error)
        {
            LogReloadFailed(error, this.GetPrimaryKeyString());
            DeactivateOnIdle();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: re-reading state after a failed write failed; deactivating")]
    private partial void LogReloadFailed(Exception error, string accountId);
}
