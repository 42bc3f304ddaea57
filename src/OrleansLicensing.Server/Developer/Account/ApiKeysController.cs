using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary>
/// <c>/v1/api-keys</c> (docs/developer-api.md §4.1): the calling account's keys. Reading needs
/// <c>read:account</c>; creating and revoking need <c>*</c> (a key that manages keys can mint any
/// scope, so only an all-scopes key may). Keys are looked up in the caller's own account, so another
/// account's key id is a plain 404. The rules are in <see cref="ApiKeyService"/>, shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/api-keys"), Produces("application/json")]
public sealed class ApiKeysController(ApiKeyService keys) : ControllerBase
{
    [HttpPost(Name = "createApiKey"), RequireScope(DeveloperScopes.All)]
    [ProducesResponseType<CreatedApiKeyResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateApiKeyRequest? body)
    {
        var created = await keys.CreateAsync(HttpContext.ApiCaller(), body);
        return Created($"/v1/api-keys/{created.ApiKeyId}", created);
    }

    [HttpGet(Name = "listApiKeys"), RequireScope(DeveloperScopes.ReadAccount)]
    public Task<ApiKeyListResponse> List([FromQuery] string? limit, [FromQuery] string? cursor) =>
        keys.ListAsync(HttpContext.ApiCaller(), limit, cursor);

    [HttpGet("{apiKeyId}", Name = "getApiKey"), RequireScope(DeveloperScopes.ReadAccount)]
    public Task<ApiKeyResponse> Get(string apiKeyId) => keys.GetAsync(HttpContext.ApiCaller(), apiKeyId);

    /// <summary>Revokes the key at once on every silo (a key may revoke itself); 204.</summary>
    [HttpDelete("{apiKeyId}", Name = "revokeApiKey"), RequireScope(DeveloperScopes.All)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Revoke(string apiKeyId)
    {
        await keys.RevokeAsync(HttpContext.ApiCaller(), apiKeyId);
        return NoContent();
    }
}
