using System.Text.Json.Serialization;
using OrleansLicensing.Accounts;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary>One credit ledger entry on the wire (<c>GET /v1/account/ledger</c>).</summary>
public sealed record LedgerEntryResponse(
    string EntryId,
    DateTimeOffset At,
    long Delta,
    long Balance,
    CreditEntryKind Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AppId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LicenseKey)
{
    /// <summary>The wire view of a stored entry.</summary>
    public static LedgerEntryResponse From(CreditEntry entry) =>
        new(entry.EntryId, entry.At, entry.Delta, entry.Balance, entry.Kind, entry.AppId, entry.LicenseKey);
}

/// <summary>Answer of <c>GET /v1/account/ledger</c>: entries newest first.</summary>
public sealed record LedgerResponse(IReadOnlyList<LedgerEntryResponse> Entries, string? Cursor);
