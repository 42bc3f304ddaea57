using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary>Body of <c>POST /v1/api-keys</c>. Fields are nullable so that validation can name what is missing; <c>expiresAt</c> <c>null</c> = never.</summary>
public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string?>? Scopes, [property: AcceptsNull] DateTimeOffset? ExpiresAt);

/// <summary>An API key on the wire: never the key, only the prefix that recognises it.</summary>
public sealed record ApiKeyResponse(string ApiKeyId, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt)
{
    public static ApiKeyResponse From(ApiKeyRecord key) => new(key.ApiKeyId, key.Name, key.Prefix, key.Scopes, key.ExpiresAt, key.CreatedAt);
}

/// <summary>The creation response: the key itself appears only here.</summary>
public sealed record CreatedApiKeyResponse(string ApiKeyId, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt, string ApiKey);

/// <summary>A page of <c>GET /v1/api-keys</c>.</summary>
public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> ApiKeys, string? Cursor);
