namespace OrleansLicensing.Accounts;

/// <summary>Lifecycle state of a developer account.</summary>
public enum AccountStatus
{
    /// <summary>The account may use the developer API and its apps validate.</summary>
    Active = 0,
    /// <summary>Suspended by the operator: apps answer <c>app_disabled</c>, API keys get <c>forbidden</c>.</summary>
    Suspended = 1,
}

/// <summary>What caused a credit ledger entry.</summary>
public enum CreditEntryKind
{
    /// <summary>Credits granted by the operator (positive).</summary>
    Grant = 0,
    /// <summary>An operator correction (either sign; never takes the balance below zero).</summary>
    Correction = 1,
    /// <summary>Usage: successful validates (negative; aggregated per app per minute).</summary>
    Validate = 2,
    /// <summary>Usage: billed heartbeats (negative; aggregated per app per minute).</summary>
    Heartbeat = 3,
    /// <summary>Usage: minted offline license files (negative).</summary>
    OfflineFile = 4,
}

/// <summary>The public view of a developer account (never contains key material).</summary>
[GenerateSerializer, Immutable]
public sealed record AccountSnapshot(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Email,
    [property: Id(3)] AccountStatus Status,
    [property: Id(4)] long Credits,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? StatusReason);

/// <summary>Everything needed to create an account, including its first API key (hash only).</summary>
[GenerateSerializer, Immutable]
public sealed record CreateAccount(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Email,
    [property: Id(2)] long InitialCredits,
    [property: Id(3)] ApiKeyRecord FirstApiKey);

/// <summary>Result of <see cref="IDeveloperAccountGrain.Create"/>.</summary>
public enum CreateAccountStatus
{
    /// <summary>The account was created.</summary>
    Created = 0,
    /// <summary>An account with this id already exists; nothing was changed.</summary>
    AlreadyExists = 1,
}

/// <summary>Outcome of an account creation.</summary>
[GenerateSerializer, Immutable]
public sealed record CreateAccountResult(
    [property: Id(0)] CreateAccountStatus Status,
    [property: Id(1)] AccountSnapshot Account);

/// <summary>
/// A change of the credit balance. <see cref="OperationId"/> makes it idempotent: a change whose
/// id was already applied (within the retention window) is not applied again; the first outcome is returned.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CreditChange(
    [property: Id(0)] string OperationId,
    [property: Id(1)] long Amount,
    [property: Id(2)] CreditEntryKind Kind,
    [property: Id(3)] string? Reason = null,
    [property: Id(4)] string? AppId = null,
    [property: Id(5)] string? LicenseKey = null);

/// <summary>How a credit change ended.</summary>
public enum CreditChangeStatus
{
    /// <summary>Applied and durably stored (or applied earlier under the same operation id).</summary>
    Applied = 0,
    /// <summary>The change would take the balance below zero; nothing changed.</summary>
    InsufficientCredits = 1,
    /// <summary>The account does not exist; nothing changed.</summary>
    AccountNotFound = 2,
    /// <summary>The amount does not fit the kind (zero, or the wrong sign); nothing changed.</summary>
    InvalidAmount = 3,
    /// <summary>The change would take the balance above <see cref="long.MaxValue"/>; nothing changed.</summary>
    BalanceTooLarge = 4,
}

/// <summary>Outcome of <see cref="IDeveloperAccountGrain.ChangeCredits"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record CreditChangeResult(
    [property: Id(0)] CreditChangeStatus Status,
    [property: Id(1)] long Balance,
    [property: Id(2)] string? EntryId,
    [property: Id(3)] bool Replayed);

/// <summary>One line of the credit ledger. Usage entries may aggregate several debits.</summary>
[GenerateSerializer, Immutable]
public sealed record CreditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] long Delta,
    [property: Id(3)] long Balance,
    [property: Id(4)] CreditEntryKind Kind,
    [property: Id(5)] string? Reason,
    [property: Id(6)] string? AppId,
    [property: Id(7)] string? LicenseKey)
{
    /// <summary>The stable public id of the entry.</summary>
    public string EntryId => FormatEntryId(Sequence);

    /// <summary>Formats a ledger sequence number as a public entry id.</summary>
    public static string FormatEntryId(long sequence) => $"ent_{sequence}";
}

/// <summary>A page of ledger entries, newest first.</summary>
[GenerateSerializer, Immutable]
public sealed record CreditLedgerPage(
    [property: Id(0)] IReadOnlyList<CreditEntry> Entries,
    [property: Id(1)] long? NextBeforeSequence);

/// <summary>An API key as stored: only its SHA-256 hash, never the key.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRecord(
    [property: Id(0)] string ApiKeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] string KeyHash,
    [property: Id(3)] string Prefix,
    [property: Id(4)] IReadOnlyList<string> Scopes,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? ExpiresAt);

/// <summary>
/// A usage debit of one credit from <c>/auth/*</c> (docs/protocol.md §13). With an
/// <see cref="IntentId"/> the debit is the commit point of a license-side intent: it is applied at
/// most once, and <see cref="IDeveloperAccountGrain.ResolveIntent"/> can later tell whether it was.
/// With a <see cref="HeartbeatOrdinal"/> (a billable heartbeat), the write that stores the debit also
/// raises the license's stored heartbeat counter to that ordinal.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UsageDebit(
    [property: Id(0)] string AppId,
    [property: Id(1)] string LicenseKey,
    [property: Id(2)] CreditEntryKind Kind,
    [property: Id(3)] long? DailyCreditCap,
    [property: Id(4)] string? IntentId,
    [property: Id(5)] OrleansLicensing.Events.OutboxEvent? Event = null,
    [property: Id(6)] string? Nonce = null,
    [property: Id(7)] long? HeartbeatOrdinal = null);

/// <summary>How a usage debit ended.</summary>
public enum UsageDebitStatus
{
    /// <summary>One credit was debited (now, or earlier under the same intent id).</summary>
    Debited = 0,
    /// <summary>The balance is below 1; nothing changed.</summary>
    NoCredits = 1,
    /// <summary>The app reached its daily credit cap; nothing changed.</summary>
    DailyCapReached = 2,
    /// <summary>The intent was already resolved as not debited; nothing changed.</summary>
    IntentAborted = 3,
    /// <summary>The account does not exist.</summary>
    AccountNotFound = 4,
    /// <summary>The debit's nonce is already in its app's replay window (V9); nothing changed.</summary>
    ReplayDetected = 5,
}

/// <summary>Outcome of <see cref="IDeveloperAccountGrain.DebitUsage"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record UsageDebitResult(
    [property: Id(0)] UsageDebitStatus Status,
    [property: Id(1)] long Balance);

/// <summary>The final outcome of an intent, as decided by the account.</summary>
public enum IntentOutcome
{
    /// <summary>The intent's debit was applied.</summary>
    Debited = 0,
    /// <summary>The debit was not applied and never will be (the intent id is now refused).</summary>
    Aborted = 1,
}
