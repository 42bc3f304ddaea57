using Microsoft.AspNetCore.Mvc;

namespace OrleansLicensing.Server.Developer;

/// <summary><c>GET /v1/account</c>: the account of the calling API key.</summary>
[ApiController, ApiKeyAuthorize, Route("v1/account"), Produces("application/json")]
public sealed class AccountController : ControllerBase
{
    /// <summary>The account as read during authentication (no second grain call).</summary>
    [HttpGet, RequireScope(DeveloperScopes.ReadAccount)]
    public DeveloperAccountResponse Get()
    {
        var a = HttpContext.ApiCaller().Account;
        return new DeveloperAccountResponse(a.AccountId, a.Name, a.Status, a.Credits, a.CreatedAt);
    }
}
