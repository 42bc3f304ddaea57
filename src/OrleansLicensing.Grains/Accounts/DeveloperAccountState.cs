using OrleansLicensing.Events;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>Persistent state of <see cref="DeveloperAccountGrain"/>.</summary>
[GenerateSerializer]
public sealed class DeveloperAccountState : IProjectedState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string AccountId { get; set; } = "";
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public string? Email { get; set; }
    [Id(4)] public AccountStatus Status { get; set; }
    [Id(5)] public string? StatusReason { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Running balance; always equals the sum of every ledger entry's delta.</summary>
    [Id(7)] public long Balance { get; set; }

    /// <summary>Sequence number the next ledger entry gets (entries are numbered from 1).</summary>
    [Id(8)] public long NextSequence { get; set; } = 1;

    /// <summary>The open (not yet sealed) tail of the ledger, oldest first.</summary>
    [Id(9)] public List<CreditEntry> Ledger { get; set; } = [];

    /// <summary>Number of sealed ledger pages stored in <see cref="ICreditLedgerPageGrain"/>s.</summary>
    [Id(10)] public int SealedPages { get; set; }

    /// <summary>Recently applied operation ids, oldest first (the idempotency window).</summary>
    [Id(11)] public List<RecordedOperation> Operations { get; set; } = [];

    [Id(12)] public List<ApiKeyRecord> ApiKeys { get; set; } = [];

    /// <summary>Usage credits each app debited on its latest UTC day (for <c>dailyCreditCap</c>).</summary>
    [Id(13)] public Dictionary<string, AppDayUsage> AppDays { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Decided license intents (intent id → debited or aborted), kept until the license has stored
    /// the outcome and says so (<see cref="IDeveloperAccountGrain.ForgetIntents"/>).
    /// </summary>
    [Id(14)] public Dictionary<string, IntentRecord> Intents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Events raised by changes not yet stored (<c>license.validated</c> with its debit,
    /// <c>credits.low</c>); the write that stores the change commits them.
    /// </summary>
    [Id(20)] public List<OutboxEvent> Outbox { get; set; } = [];

    /// <summary>
    /// Nonces that passed the replay step since the last write (docs/protocol.md §6); the write
    /// records them in <c>licensing_replay_nonces</c> and they are dropped from memory after it.
    /// </summary>
    [Id(21)] public List<RecordedNonce> PendingNonces { get; set; } = [];

    /// <summary>License heartbeat counters raised since the last write; the write stores them.</summary>
    [Id(22)] public Dictionary<string, long> PendingHeartbeatCounts { get; set; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    /// <remarks>Only writes with events, nonces or counters use the projected format; the others stay plain.</remarks>
    public StateProjection? Projection() => Outbox.Count > 0 || PendingNonces.Count > 0 || PendingHeartbeatCounts.Count > 0
        ? new StateProjection(null, Outbox.ToArray(),
            PendingNonces.Count > 0 ? PendingNonces.ToArray() : null,
            PendingHeartbeatCounts.Count > 0 ? new Dictionary<string, long>(PendingHeartbeatCounts, StringComparer.Ordinal) : null)
        : null;
}

/// <summary>Credits one app debited on one UTC day (days since 1970-01-01).</summary>
[GenerateSerializer, Immutable]
public sealed record AppDayUsage([property: Id(0)] long Day, [property: Id(1)] long Debits);

/// <summary>The decided outcome of a license intent.</summary>
[GenerateSerializer, Immutable]
public sealed record IntentRecord([property: Id(0)] bool Debited, [property: Id(1)] DateTimeOffset At);

/// <summary>An applied credit change, remembered so that a retry returns the same outcome.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordedOperation(
    [property: Id(0)] string OperationId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] long BalanceAfter,
    [property: Id(3)] DateTimeOffset At);
