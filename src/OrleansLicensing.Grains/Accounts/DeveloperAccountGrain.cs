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

    private readonly IPersistentState<DeveloperAccountState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<DeveloperAccountGrain> _logger;
    private readonly GroupCommit _commit;
    private readonly AccountOptions _options;
    private readonly Dictionary<string, RecordedOperation> _operations = new(StringComparer.Ordinal);
    private readonly Views.AuthViewBroadcast _views;
    private readonly Diagnostics.LicensingMetrics _metrics;

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
