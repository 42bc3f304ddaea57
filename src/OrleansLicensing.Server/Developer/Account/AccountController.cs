using Microsoft.AspNetCore.Mvc;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary><c>GET /v1/account</c> and its credit ledger: the account of the calling API key.</summary>
[ApiController, ApiKeyAuthorize, Route("v1/account"), Produces("application/json")]
public sealed class AccountController(CreditLedgerService ledger) : ControllerBase
{
    /// <summary>The account as read during authentication (no second grain call).</summary>
    [HttpGet(Name = "getCurrentAccount"), RequireScope(DeveloperScopes.ReadAccount)]
    public DeveloperAccountResponse Get()
    {
        var a = HttpContext.ApiCaller().Account;
        return new DeveloperAccountResponse(a.AccountId, a.Name, a.Status, a.Credits, a.CreatedAt);
    }

    /// <summary>Credit ledger entries, newest first (see <see cref="CreditLedgerService"/>).</summary>
    [HttpGet("ledger", Name = "listLedgerEntries"), RequireScope(DeveloperScopes.ReadAccount)]
    public Task<LedgerResponse> Ledger([FromQuery] string? limit, [FromQuery] string? cursor) =>
        ledger.ReadAsync(HttpContext.ApiCaller(), limit, cursor);
}
