using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer;

/// <summary><c>GET /v1/account</c> and its credit ledger: the account of the calling API key.</summary>
[ApiController, ApiKeyAuthorize, Route("v1/account"), Produces("application/json")]
public sealed class AccountController(IGrainFactory grains) : ControllerBase
{
    private const string LedgerCursorKind = "ent";

    /// <summary>The account as read during authentication (no second grain call).</summary>
    [HttpGet, RequireScope(DeveloperScopes.ReadAccount)]
    public DeveloperAccountResponse Get()
    {
        var a = HttpContext.ApiCaller().Account;
        return new DeveloperAccountResponse(a.AccountId, a.Name, a.Status, a.Credits, a.CreatedAt);
    }

    /// <summary>
    /// Credit ledger entries, newest first. The cursor is the sequence of the last entry shown, so
    /// entries added while paging never shift a page (they are newer than every cursor).
    /// </summary>
    [HttpGet("ledger"), RequireScope(DeveloperScopes.ReadAccount)]
    public async Task<LedgerResponse> Ledger([FromQuery] string? limit, [FromQuery] string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var before = Pagination.Decode(LedgerCursorKind, cursor, key => ParseSequence(key) is not null);
        var page = await grains.GetGrain<IDeveloperAccountGrain>(HttpContext.ApiCaller().AccountId)
            .GetLedger(before is null ? null : ParseSequence(before), pageSize);
        return new LedgerResponse(
            [.. page.Entries.Select(LedgerEntryResponse.From)],
            page.NextBeforeSequence is { } next ? Pagination.Encode(LedgerCursorKind, next.ToString(CultureInfo.InvariantCulture)) : null);
    }

    private static long? ParseSequence(string key) =>
        long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence >= 1 ? sequence : null;
}
