using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Everything a verified validate or heartbeat response establishes (R12 of §17.4). Immutable: the client
/// swaps whole instances, so readers never see half an update.
/// </summary>
internal sealed record SessionState(
    string Token,
    DateTimeOffset ExpiresAt,
    string Payload,
    string Signature,
    string? KeyId,
    JsonElement PayloadJson,
    IReadOnlyDictionary<string, JsonElement> AppVariables,
    IReadOnlyDictionary<string, JsonElement> LicenseVariables,
    string? SigKey,
    byte[]? HmacKey,
    DateTimeOffset? LicenseExpiresAt,
    int? MaxHwidSlots,
    int? HwidCount,
    string? LicenseLabel,
    bool? UnlimitedHwidSlots,
    string? RequestId)
{
    /// <summary>The verified offline file this session came from (<see cref="LicensingClient.LoginFromFile(string)"/>); null for a server session.</summary>
    public Offline.OfflineLicense? Offline { get; init; }

    /// <summary>Never prints the token, signature or keys.</summary>
    public override string ToString() => $"SessionState {{ ExpiresAt = {ExpiresAt:O}, KeyId = {KeyId} }}";
}

/// <summary>What came with a response besides its body.</summary>
internal sealed record ResponseMeta(int HttpStatus, string? RequestId, TimeSpan? RetryAfter);
