using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>
/// The account's share of the /auth request path: usage debits, the replay step (§6), billable
/// heartbeats' counters and binding intents, all applied in the account's group-committed batches.
/// </summary>
public sealed partial class DeveloperAccountGrain
{
    /// <summary>How long a decided intent is kept when its license never confirms it.</summary>
    internal static readonly TimeSpan IntentRetention = TimeSpan.FromDays(30);

    private readonly IReplayWindowStore _replayWindow;

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

    /// <summary>The replay window of docs/protocol.md §1.3.</summary>
    internal static readonly TimeSpan ReplayWindow = TimeSpan.FromHours(24);

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
}
