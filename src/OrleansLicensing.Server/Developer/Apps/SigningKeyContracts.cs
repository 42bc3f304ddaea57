using System.Text.Json.Serialization;
using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>A signing key on the wire (docs/developer-api.md §4.2a).</summary>
public sealed record SigningKeyResponse(
    string KeyId,
    string PublicKey,
    SigningKeyState State,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PromotedAt)
{
    public static SigningKeyResponse From(PublicSigningKey key) => new(key.KeyId, key.PublicKey, key.State, key.CreatedAt, key.PromotedAt);
}

/// <summary>Answer of <c>GET /v1/apps/{appId}/signing-keys</c>: current first, then next, then previous keys newest first.</summary>
public sealed record SigningKeyListResponse(IReadOnlyList<SigningKeyResponse> SigningKeys);
