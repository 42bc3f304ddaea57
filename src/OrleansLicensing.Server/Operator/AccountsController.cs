using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Accounts;

namespace OrleansLicensing.Server.Operator;

/// <summary>
/// The operator API of docs/developer-api.md §3: developer accounts and their credits. The rules are in
/// <see cref="AccountAdministration"/>, shared with the operator pages of the web console.
/// </summary>
[ApiController, OperatorAuthorize, Route("admin/v1/accounts"), Produces("application/json")]
public sealed class AccountsController(AccountAdministration accounts) : ControllerBase
{
    [HttpPost(Name = "createAccount")]
    [ProducesResponseType<CreatedAccountResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateAccountRequest? body)
    {
        var created = await accounts.CreateAsync(body);
        return Created($"/admin/v1/accounts/{created.AccountId}", created);
    }

    [HttpGet(Name = "listAccounts")]
    public Task<AccountListResponse> List([FromQuery] string? limit, [FromQuery] string? cursor) => accounts.ListAsync(limit, cursor);

    [HttpGet("{accountId}", Name = "getAccount")]
    public Task<AccountResponse> Get(string accountId) => accounts.GetAsync(accountId);

    [HttpPost("{accountId}/credits", Name = "changeAccountCredits")]
    public Task<CreditGrantResponse> ChangeCredits(
        string accountId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreditGrantRequest? body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey) =>
        accounts.ChangeCreditsAsync(accountId, body, idempotencyKey);

    [HttpPost("{accountId}/suspend", Name = "suspendAccount")]
    public Task<AccountResponse> Suspend(string accountId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] AccountStatusRequest? body) =>
        accounts.SetStatusAsync(accountId, AccountStatus.Suspended, body);

    [HttpPost("{accountId}/reactivate", Name = "reactivateAccount")]
    public Task<AccountResponse> Reactivate(string accountId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] AccountStatusRequest? body) =>
        accounts.SetStatusAsync(accountId, AccountStatus.Active, body);
}
