using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Operator;

/// <summary>A page of accounts matching a search, and where the next page starts (<c>null</c> after the last).</summary>
/// <param name="Accounts">Matches in account id (creation) order.</param>
/// <param name="Cursor">Keyset position after the last account looked at.</param>
/// <param name="Scanned">How many accounts this page looked at.</param>
public sealed record AccountSearchPage(IReadOnlyList<AccountResponse> Accounts, string? Cursor, int Scanned);

/// <summary>
/// Finds accounts whose name or email contains the search text (case-insensitive), or whose id starts
/// with it. Accounts live in their grains, listed by the account directory in id order; there is no
/// name index, so a search walks the directory with keyset paging: one page looks at no more than
/// <see cref="ScanPerPage"/> accounts and returns the matches found so far with a cursor to continue.
/// The cost of a page is bounded however many accounts exist; a rare name may need a few pages.
/// </summary>
public sealed class AccountSearch(IGrainFactory grains)
{
    /// <summary>The most accounts one page looks at.</summary>
    public const int ScanPerPage = 1000;

    /// <summary>The longest search text.</summary>
    public const int MaxQueryLength = 250;

    private const string CursorKind = "acc-search";
    private const int Batch = 100;

    /// <summary>Up to <paramref name="limit"/> matches of <paramref name="query"/> after <paramref name="cursor"/>.</summary>
    public async Task<AccountSearchPage> SearchAsync(string? query, string? limit, string? cursor)
    {
        var text = query?.Trim() ?? "";
        if (text.Length == 0) throw ApiException.BadRequest("q: required (part of a name or email, or the start of an account id)");
        if (text.Length > MaxQueryLength) throw ApiException.BadRequest($"q: at most {MaxQueryLength} characters");
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(CursorKind, cursor, id => ResourceId.IsWellFormed(id, "acc"));
        var directory = grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Key);

        var matches = new List<AccountResponse>(pageSize);
        var last = after;
        var scanned = 0;
        var exhausted = false;
        while (matches.Count < pageSize && scanned < ScanPerPage && !exhausted)
        {
            var ids = await directory.List(last, Math.Min(Batch, ScanPerPage - scanned));
            exhausted = ids.Count < Math.Min(Batch, ScanPerPage - scanned);
            var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDeveloperAccountGrain>(id).Get()));
            for (var n = 0; n < ids.Count; n++)
            {
                last = ids[n];
                scanned++;
                // An id whose account was never created (a crash during creation) is skipped.
                if (snapshots[n] is { } account && Matches(account, text)) matches.Add(AccountResponse.From(account));
                if (matches.Count == pageSize)
                {
                    exhausted &= n == ids.Count - 1;
                    break;
                }
            }
        }
        var next = !exhausted && last is not null ? Pagination.Encode(CursorKind, last) : null;
        return new AccountSearchPage(matches, next, scanned);
    }

    private static bool Matches(AccountSnapshot account, string text) =>
        account.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (account.Email?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || account.AccountId.StartsWith(text, StringComparison.OrdinalIgnoreCase);
}
