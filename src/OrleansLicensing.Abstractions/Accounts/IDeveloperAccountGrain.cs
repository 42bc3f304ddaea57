using Orleans.Concurrency;

namespace OrleansLicensing.Accounts;

/// <summary>
/// A software vendor's account: profile, status, API keys and the credit balance with its ledger.
/// Keyed by the account id (<c>acc_…</c>). Every change is durable before it is acknowledged;
/// concurrent changes share storage writes (group commit).
/// </summary>
public interface IDeveloperAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; does nothing if it exists already.</summary>
    Task<CreateAccountResult> Create(CreateAccount command);

    /// <summary>The account, or <c>null</c> if it was never created.</summary>
    [AlwaysInterleave]
    Task<AccountSnapshot?> Get();

    /// <summary>Applies a credit change at most once per operation id.</summary>
    Task<CreditChangeResult> ChangeCredits(CreditChange change);

    /// <summary>Suspends or reactivates the account; <c>null</c> if it does not exist.</summary>
    Task<AccountSnapshot?> SetStatus(AccountStatus status, string? reason);

    /// <summary>
    /// Debits one usage credit (validate, billable heartbeat): balance ≥ 1 and the app's daily cap
    /// are checked and the debit applied in one step, so the balance never goes below zero. With a
    /// <see cref="UsageDebit.Nonce"/> the replay window (V9) is checked first and the nonce recorded
    /// by the same write as the debit.
    /// </summary>
    Task<UsageDebitResult> DebitUsage(UsageDebit debit);

    /// <summary>
    /// The replay step alone (V9, SK8) for a request that debits nothing: records the nonce in the
    /// app's 24-hour window (docs/protocol.md §6) and completes once that is durable. <c>false</c>:
    /// the nonce was already recorded for this app within the window.
    /// </summary>
    Task<bool> RecordNonce(string appId, string nonce);

    /// <summary>
    /// Decides an intent: <see cref="IntentOutcome.Debited"/> if its debit was applied, otherwise
    /// records it as aborted so that a late debit with the same id is refused.
    /// </summary>
    Task<IntentOutcome> ResolveIntent(string intentId);

    /// <summary>Drops decided intents once the license has stored their outcome.</summary>
    Task ForgetIntents(IReadOnlyList<string> intentIds);

    /// <summary>Ledger entries newest first, strictly before <paramref name="beforeSequence"/> when given.</summary>
    Task<CreditLedgerPage> GetLedger(long? beforeSequence, int limit);

    /// <summary>
    /// Adds an API key to the account's list, then registers its lookup (<see cref="IApiKeyGrain"/>):
    /// a crash in between leaves a listed key that does not work yet, never a working key that
    /// cannot be listed or revoked.
    /// </summary>
    Task<ApiKeyAddResult> AddApiKey(ApiKeyRecord key);

    /// <summary>The account's keys in id order (ids sort by creation time), strictly after <paramref name="afterId"/>.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeys(string? afterId, int limit);

    /// <summary>One key of this account, or <c>null</c>.</summary>
    [AlwaysInterleave]
    Task<ApiKeyRecord?> GetApiKey(string apiKeyId);

    /// <summary>
    /// Revokes a key of this account: first its lookup (authentication refuses it from then on, on
    /// every silo), then it leaves the list. A crash in between leaves a listed key that no longer
    /// works, and revoking again completes it. <c>null</c> when the account has no such key.
    /// </summary>
    Task<ApiKeyRecord?> RevokeApiKey(string apiKeyId);
}

/// <summary>How <see cref="IDeveloperAccountGrain.AddApiKey"/> ended.</summary>
public enum ApiKeyAddStatus
{
    /// <summary>The key is listed and works.</summary>
    Added = 0,
    /// <summary>The account does not exist.</summary>
    AccountNotFound = 1,
    /// <summary>The account already has <see cref="ApiKeyLimits.MaxKeysPerAccount"/> keys; nothing changed.</summary>
    LimitReached = 2,
}

/// <summary>Outcome of <see cref="IDeveloperAccountGrain.AddApiKey"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyAddResult([property: Id(0)] ApiKeyAddStatus Status);

/// <summary>Bounds on API keys.</summary>
public static class ApiKeyLimits
{
    /// <summary>Keys one account may hold at a time (revoked keys do not count). Bounds the account state and the per-key rate limits an account can combine.</summary>
    public const int MaxKeysPerAccount = 100;
}
