using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary>
/// The API-key rules of docs/developer-api.md §4.1 for one caller: validation, scopes a key may hand out,
/// the per-account limit. <c>/v1/api-keys</c> and the web console both call it.
/// </summary>
public sealed class ApiKeyService(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Longest API key name.</summary>
    public const int MaxNameLength = 200;
    private const string CursorKind = "key";

    /// <summary>Creates a key; the answer is the only place the key itself appears.</summary>
    public async Task<CreatedApiKeyResponse> CreateAsync(ApiCaller caller, CreateApiKeyRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var now = time.GetUtcNow();
        var details = new List<string>();

        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name)) details.Add("name: required");
        else if (name.Length > MaxNameLength) details.Add($"name: at most {MaxNameLength} characters");
        else if (TextRules.HasControlCharacters(name)) details.Add($"name: {TextRules.ControlCharacters}");

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
            ApiKeyAddStatus.Added => new CreatedApiKeyResponse(record.ApiKeyId, record.Name, record.Prefix, record.Scopes, record.ExpiresAt, record.CreatedAt, apiKey),
            ApiKeyAddStatus.LimitReached => throw ApiException.BadRequest($"apiKeys: an account holds at most {ApiKeyLimits.MaxKeysPerAccount} keys; revoke one first"),
            _ => throw new ApiException(ApiErrors.InvalidApiKey, "Unknown API key"),
        };
    }

    /// <summary>A page of the caller's keys (never the keys themselves).</summary>
    public async Task<ApiKeyListResponse> ListAsync(ApiCaller caller, string? limit, string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(CursorKind, cursor, id => ResourceId.IsWellFormed(id, "key"));
        // One more than asked tells whether a next page exists, so the last page says cursor: null.
        var keys = await grains.GetGrain<IDeveloperAccountGrain>(caller.AccountId).ListApiKeys(after, pageSize + 1);
        var page = keys.Take(pageSize).Select(ApiKeyResponse.From).ToList();
        return new ApiKeyListResponse(page, keys.Count > pageSize ? Pagination.Encode(CursorKind, page[^1].ApiKeyId) : null);
    }

    /// <summary>One of the caller's keys; another account's key id is a plain 404.</summary>
    public async Task<ApiKeyResponse> GetAsync(ApiCaller caller, string apiKeyId)
    {
        var key = ResourceId.IsWellFormed(apiKeyId, "key")
            ? await grains.GetGrain<IDeveloperAccountGrain>(caller.AccountId).GetApiKey(apiKeyId)
            : null;
        return key is null ? throw ApiException.NotFound($"API key {apiKeyId} not found") : ApiKeyResponse.From(key);
    }

    /// <summary>Revokes the key at once on every silo (a key may revoke itself).</summary>
    public async Task RevokeAsync(ApiCaller caller, string apiKeyId)
    {
        var revoked = ResourceId.IsWellFormed(apiKeyId, "key")
            ? await grains.GetGrain<IDeveloperAccountGrain>(caller.AccountId).RevokeApiKey(apiKeyId)
            : null;
        if (revoked is null) throw ApiException.NotFound($"API key {apiKeyId} not found");
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
