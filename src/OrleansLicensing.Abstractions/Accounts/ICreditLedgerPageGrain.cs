namespace OrleansLicensing.Accounts;

/// <summary>
/// Sealed, immutable pages of an account's credit ledger, so the account's own state stays small.
/// Keyed by <c>{accountId}/{pageIndex}</c>.
/// </summary>
public interface ICreditLedgerPageGrain : IGrainWithStringKey
{
    /// <summary>Stores the page (overwrites: a retry after a crash writes the same entries again).</summary>
    Task Store(IReadOnlyList<CreditEntry> entries);

    /// <summary>The stored entries, oldest first.</summary>
    Task<IReadOnlyList<CreditEntry>> Read();
}
