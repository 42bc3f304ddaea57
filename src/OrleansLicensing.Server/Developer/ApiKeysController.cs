using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// <c>/v1/api-keys</c> (developer-api.md §4.1): the calling account's keys. Reading needs
/// <c>read:account</c>; creating and revoking need <c>*</c> (a key that manages keys can mint any
/// scope, so only an all-scopes key may). Keys are looked up in the caller's own account, so another
/// account's key id is a plain 404.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/api-keys"), Produces("application/json")]
public sealed class ApiKeysController(IGrainFactory grains, TimeProvider time) : ControllerBase
{
    private const int MaxNameLength = 200;
    private const string CursorKind = "key";

    [HttpPost, RequireScope(DeveloperScopes.All)]
    [ProducesResponseType<CreatedApiKeyResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateApiKeyRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var caller = HttpContext.ApiCaller();
        var now = time.GetUtcNow();
        var details = new List<string>();

        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name)) details.Add("name: required");
        else if (name.Length > MaxNameLength) details.Add($"name: at most {MaxNameLength} characters");

        var scopes = new List<string>();
        if (body.Scopes is null || body.Scopes.Count == 0) details.Add("scopes: at least one scope is required");
        else
        {
            for (var i = 0; i < body.Scopes.Count; i++)
            {
                var scope = body.Scopes[i];
                if (scope is null || !DeveloperScopes.Known.Contains(scope)) details.Add($"scopes[{i}]: unknown scope '{scope}'");
                // A key never hands out more than it holds (today create needs *, so this guards a later, narrower rule).
                else if (!DeveloperScopes.Grants(caller.Scopes, scope)) details.Add($"scopes[{i}]: the calling key does not grant {scope}");
                else if (!scopes.Contains(scope)) scopes.Add(scope);
            }
        }

        // Stored to the second, like every timestamp shown, so what is listed is what is enforced.
        DateTimeOffset? expiresAt = body.ExpiresAt is { } e ? TruncateToSecond(e) : null;
        if (expiresAt is { } expiry && expiry <= now) details.Add("expiresAt: must lie in the future");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var apiKey = ApiKeys.Generate();
        var record = new ApiKeyRecord(ResourceId.New("key", now), name!, ApiKeys.Hash(apiKey), ApiKeys.DisplayPrefix(apiKey), scopes, TruncateToSecond(now), expiresAt);
        var result = await grains.GetGrain<IDeveloperAccountGrain>(caller.AccountId).AddApiKey(record);
        return result.Status switch
        {
            ApiKeyAddStatus.Added => Created($"/v1/api-keys/{record.ApiKeyId}",
                new CreatedApiKeyResponse(record.ApiKeyId, record.Name, record.Prefix, record.Scopes, record.ExpiresAt, record.CreatedAt, apiKey)),
            ApiKeyAddStatus.LimitReached => throw ApiException.BadRequest($"apiKeys: an account holds at most {ApiKeyLimits.MaxKeysPerAccount} keys; revoke one first"),
            _ => throw new ApiException(ApiErrors.InvalidApiKey, "Unknown API key"),
        };
    }

    [HttpGet, RequireScope(DeveloperScopes.ReadAccount)]
    public async Task<ApiKeyListResponse> List([FromQuery] string? limit, [FromQuery] string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(CursorKind, cursor, id => ResourceId.IsWellFormed(id, "key"));
        // One more than asked tells whether a next page exists, so the last page says cursor: null.
        var keys = await grains.GetGrain<IDeveloperAccountGrain>(HttpContext.ApiCaller().AccountId).ListApiKeys(after, pageSize + 1);
        var page = keys.Take(pageSize).Select(ApiKeyResponse.From).ToList();
        return new ApiKeyListResponse(page, keys.Count > pageSize ? Pagination.Encode(CursorKind, page[^1].ApiKeyId) : null);
    }

    [HttpGet("{apiKeyId}"), RequireScope(DeveloperScopes.ReadAccount)]
    public async Task<ApiKeyResponse> Get(string apiKeyId)
    {
        var key = ResourceId.IsWellFormed(apiKeyId, "key")
            ? await grains.GetGrain<IDeveloperAccountGrain>(HttpContext.ApiCaller().AccountId).GetApiKey(apiKeyId)
            : null;
        return key is null ? throw ApiException.NotFound($"API key {apiKeyId} not found") : ApiKeyResponse.From(key);
    }

    /// <summary>Revokes the key at once on every silo (a key may revoke itself); 204.</summary>
    [HttpDelete("{apiKeyId}"), RequireScope(DeveloperScopes.All)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Revoke(string apiKeyId)
    {
        var revoked = ResourceId.IsWellFormed(apiKeyId, "key")
            ? await grains.GetGrain<IDeveloperAccountGrain>(HttpContext.ApiCaller().AccountId).RevokeApiKey(apiKeyId)
            : null;
        return revoked is null ? throw ApiException.NotFound($"API key {apiKeyId} not found") : NoContent();
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
