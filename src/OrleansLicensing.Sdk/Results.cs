using System.Text.Json;
using OrleansLicensing.Sdk.Protocol;

namespace OrleansLicensing.Sdk;

/// <summary>
/// The outcome of <see cref="LicensingClient.ValidateLicense(string)"/>: a verified session's data, or the
/// failure's code. Nothing is stored in the client.
/// </summary>
public sealed class ValidationResult
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoVariables = new Dictionary<string, JsonElement>();

    private ValidationResult(SessionState? state, LicensingException? error)
    {
        Error = error;
        if (state is null) return;
        SessionToken = state.Token;
        ExpiresAt = state.ExpiresAt;
        LicenseExpiresAt = state.LicenseExpiresAt;
        MaxHwidSlots = state.MaxHwidSlots;
        HwidCount = state.HwidCount;
        LicenseLabel = state.LicenseLabel;
        UnlimitedHwidSlots = state.UnlimitedHwidSlots;
        AppVariables = state.AppVariables;
        LicenseVariables = state.LicenseVariables;
        KeyId = state.KeyId;
        Payload = state.PayloadJson;
        RequestId = state.RequestId;
    }

    internal static ValidationResult Success(SessionState state) => new(state, null);

    internal static ValidationResult Failure(LicensingException error) => new(null, error);

    /// <summary>True when the server accepted the license and the response verified.</summary>
    public bool Valid => Error is null;

    /// <summary>The failure's code (null when <see cref="Valid"/>). Log it; show end users <see cref="LicensingMessages.ForCode(string)"/>.</summary>
    public string? Code => Error?.Code;

    /// <summary>The failure, with HTTP status, request id and attempts (null when <see cref="Valid"/>).</summary>
    public LicensingException? Error { get; }

    /// <summary>The session token issued by the server. A secret: do not log it.</summary>
    public string? SessionToken { get; }

    /// <summary>When the issued session expires.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The license's expiry; null for a lifetime license (or on failure).</summary>
    public DateTimeOffset? LicenseExpiresAt { get; }

    /// <summary>The license's HWID slot count (0 when unlimited).</summary>
    public int? MaxHwidSlots { get; }

    /// <summary>HWIDs currently bound to the license.</summary>
    public int? HwidCount { get; }

    /// <summary>The license's label, if it has one.</summary>
    public string? LicenseLabel { get; }

    /// <summary>Whether the license admits any number of devices.</summary>
    public bool? UnlimitedHwidSlots { get; }

    /// <summary>The app's variables.</summary>
    public IReadOnlyDictionary<string, JsonElement> AppVariables { get; } = NoVariables;

    /// <summary>The license's variables.</summary>
    public IReadOnlyDictionary<string, JsonElement> LicenseVariables { get; } = NoVariables;

    /// <summary>The <c>keyId</c> of the signing key (Ed25519 apps).</summary>
    public string? KeyId { get; }

    /// <summary>The decoded, verified payload.</summary>
    public JsonElement? Payload { get; }

    /// <summary>The server's request id.</summary>
    public string? RequestId { get; }

    /// <summary>Never prints the session token.</summary>
    public override string ToString() => Valid ? $"ValidationResult {{ Valid = True, ExpiresAt = {ExpiresAt:O} }}" : $"ValidationResult {{ Valid = False, Code = {Code} }}";
}

/// <summary>The outcome of a successful <see cref="LicensingClient.SelfBan(bool, bool, bool, string?, string?)"/>.</summary>
/// <param name="Revoked">The license is revoked (and revocation was requested).</param>
/// <param name="HwidBlacklisted">The HWID is on the app's block list (and that was requested).</param>
/// <param name="IpBlacklisted">The caller's IP is on the app's block list (and that was requested).</param>
public sealed record SelfBanResult(bool Revoked, bool HwidBlacklisted, bool IpBlacklisted);
