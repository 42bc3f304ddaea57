using System.Globalization;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary>
/// Reads the caller's credit ledger, newest first. The cursor is the sequence of the last entry
/// shown, so entries added while paging never shift a page (they are newer than every cursor).
/// <c>GET /v1/account/ledger</c> and the web console both call it.
/// </summary>
public sealed class CreditLedgerService(IGrainFactory grains)
{
    private const string LedgerCursorKind = "ent";

    /// <summary>A page of ledger entries and the cursor of the next one.</summary>
    public async Task<LedgerResponse> ReadAsync(ApiCaller caller, string? limit, string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var before = Pagination.Decode(LedgerCursorKind, cursor, ParseSequence);
        var page = await grains.GetGrain<IDeveloperAccountGrain>(caller.AccountId)
            .GetLedger(before, pageSize);
        return new LedgerResponse(
            [.. page.Entries.Select(LedgerEntryResponse.From)],
            page.NextBeforeSequence is { } next ? Pagination.Encode(LedgerCursorKind, next.ToString(CultureInfo.InvariantCulture)) : null);
    }

    private static long? ParseSequence(string key) =>
        long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence >= 1 ? sequence : null;
}
