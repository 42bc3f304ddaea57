namespace OrleansLicensing.Sdk;

/// <summary>What an end user should be told about a licensing failure (docs/protocol.md §17.10).</summary>
public enum LicensingMessageKind
{
    /// <summary><c>invalid_key</c>: let the user re-enter the key.</summary>
    KeyNotRecognised,
    /// <summary><c>revoked</c>: offer a support link.</summary>
    LicenseInactive,
    /// <summary><c>expired</c>: offer a renewal link if there is one.</summary>
    LicenseExpired,
    /// <summary><c>hwid_mismatch</c>: offer a support link.</summary>
    DeviceInUse,
    /// <summary><c>blocked</c>: offer a support link.</summary>
    AccessBlocked,
    /// <summary><c>session_expired</c>: ask for login again.</summary>
    SessionEnded,
    /// <summary>Integration or configuration problems (log the code).</summary>
    CannotCheck,
    /// <summary>Temporary service, network or billing problems (retry later; never reveal billing state).</summary>
    TemporarilyUnavailable,
    /// <summary><c>nonce_mismatch</c>, <c>signature_mismatch</c>: possible interception; do not grant access.</summary>
    Unverified,
}

/// <summary>
/// Maps codes to texts for end users. The SDK never puts raw codes into text meant for end users; neither
/// should your app: log <see cref="LicensingException.Code"/>, show <see cref="ForCode(string)"/>.
/// Localise by creating an instance with your own texts.
/// </summary>
public sealed class LicensingMessages
{
    private static readonly Dictionary<LicensingMessageKind, string> English = new Dictionary<LicensingMessageKind, string>
    {
        [LicensingMessageKind.KeyNotRecognised] = "That license key was not recognised. Please check it and try again.",
        [LicensingMessageKind.LicenseInactive] = "This license is no longer active. Please contact support.",
        [LicensingMessageKind.LicenseExpired] = "Your license has expired.",
        [LicensingMessageKind.DeviceInUse] = "This license is already in use on another device. Please contact support to move it.",
        [LicensingMessageKind.AccessBlocked] = "Access from this device or network is not allowed. Please contact support.",
        [LicensingMessageKind.SessionEnded] = "Your session has ended. Please sign in again.",
        [LicensingMessageKind.CannotCheck] = "The license could not be checked. Please contact support.",
        [LicensingMessageKind.TemporarilyUnavailable] = "The licensing service is temporarily unavailable. Please try again later.",
        [LicensingMessageKind.Unverified] = "The response from the licensing service could not be verified. Please check your network connection.",
    };

    private readonly IReadOnlyDictionary<LicensingMessageKind, string> _texts;

    /// <summary>Creates a mapping with localised texts; kinds missing from <paramref name="texts"/> use the English default.</summary>
    public LicensingMessages(IReadOnlyDictionary<LicensingMessageKind, string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        _texts = texts;
    }

    /// <summary>The default English texts of §17.10.</summary>
    public static LicensingMessages Default { get; } = new(English);

    /// <summary>The default English text for <paramref name="code"/>.</summary>
    public static string ForCode(string code) => Default.Get(code);

    /// <summary>This mapping's text for <paramref name="code"/>.</summary>
    public string Get(string code)
    {
        var kind = KindOf(code);
        return _texts.TryGetValue(kind, out var text) && !string.IsNullOrWhiteSpace(text) ? text : English[kind];
    }

    /// <summary>Which kind of message a code calls for. Unknown codes are <see cref="LicensingMessageKind.CannotCheck"/>.</summary>
    public static LicensingMessageKind KindOf(string? code)
    {
        switch (code)
        {
            case LicensingErrorCodes.InvalidKey: return LicensingMessageKind.KeyNotRecognised;
            case LicensingErrorCodes.Revoked: return LicensingMessageKind.LicenseInactive;
            case LicensingErrorCodes.Expired: return LicensingMessageKind.LicenseExpired;
            case LicensingErrorCodes.HwidMismatch: return LicensingMessageKind.DeviceInUse;
            case LicensingErrorCodes.Blocked: return LicensingMessageKind.AccessBlocked;
            case LicensingErrorCodes.SessionExpired: return LicensingMessageKind.SessionEnded;
            case LicensingErrorCodes.NonceMismatch:
            case LicensingErrorCodes.SignatureMismatch:
                return LicensingMessageKind.Unverified;
            case LicensingErrorCodes.AppDisabled:
            case LicensingErrorCodes.NoCredits:
            case LicensingErrorCodes.AppBurnCapReached:
            case LicensingErrorCodes.DemoQuotaExceeded:
            case LicensingErrorCodes.RateLimited:
            case LicensingErrorCodes.SystemError:
            case LicensingErrorCodes.ServerError:
            case LicensingErrorCodes.ReplayDetected:
            case LicensingErrorCodes.NetworkError:
            case LicensingErrorCodes.InvalidJsonResponse:
            case LicensingErrorCodes.ResponseNotJsonObject:
                return LicensingMessageKind.TemporarilyUnavailable;
        }
        if (code is not null && LicensingErrorCodes.TryParseHttpError(code, out var status) && (status == 408 || status == 429 || status >= 500))
        {
            return LicensingMessageKind.TemporarilyUnavailable;
        }
        // invalid_app, bad_request, malformed_request, revoke_requires_session, unknown_error, invalid_payload,
        // missing_*, invalid_keyId, other http_error_<n>, checksum_*: a vendor integration problem.
        return LicensingMessageKind.CannotCheck;
    }
}
