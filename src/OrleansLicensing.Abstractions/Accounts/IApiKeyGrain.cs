namespace OrleansLicensing.Accounts;

/// <summary>
/// Lookup of an API key by the SHA-256 hash of the key. Keyed by <c>key_{hex hash}</c>; holds no secret.
/// </summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Records which account and key this hash belongs to.</summary>
    Task Register(ApiKeyBinding binding);

    /// <summary>The binding, or <c>null</c> for an unknown key. A revoked key keeps its binding with <see cref="ApiKeyBinding.RevokedAt"/> set.</summary>
    Task<ApiKeyBinding?> Get();

    /// <summary>Revokes the key for good (idempotent; also before <see cref="Register"/>, which then cannot un-revoke it).</summary>
    Task Revoke(DateTimeOffset at);
}

/// <summary>Which account an API key hash belongs to.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyBinding(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string ApiKeyId,
    [property: Id(2)] IReadOnlyList<string> Scopes,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] DateTimeOffset? RevokedAt = null);
