namespace OrleansLicensing.Sdk;

/// <summary>
/// The codes a <see cref="LicensingException"/> can carry: the server's codes (docs/protocol.md §3.5,
/// reserved ones included) and the codes the SDK produces itself while checking a response (§17.4).
/// Codes are for logs and program logic; show end users <see cref="LicensingMessages.ForCode(string)"/> instead.
/// </summary>
public static class LicensingErrorCodes
{
    // Server codes (§3.5).

    /// <summary>Request body or fields invalid (an SDK or integration bug).</summary>
    public const string BadRequest = "bad_request";
    /// <summary>No such app, app disabled, or wrong app secret.</summary>
    public const string InvalidApp = "invalid_app";
    /// <summary>No license with this key in this app.</summary>
    public const string InvalidKey = "invalid_key";
    /// <summary>The session token is no longer usable; the SDK re-authenticates once.</summary>
    public const string SessionExpired = "session_expired";
    /// <summary>The nonce was already used; retried with a fresh nonce.</summary>
    public const string ReplayDetected = "replay_detected";
    /// <summary>Caller IP or HWID rejected by the app's security lists.</summary>
    public const string Blocked = "blocked";
    /// <summary>The vendor's account is suspended.</summary>
    public const string AppDisabled = "app_disabled";
    /// <summary>The license is bound to other devices.</summary>
    public const string HwidMismatch = "hwid_mismatch";
    /// <summary>A pre-session self-ban asked to revoke the license.</summary>
    public const string RevokeRequiresSession = "revoke_requires_session";
    /// <summary>The license has expired.</summary>
    public const string Expired = "expired";
    /// <summary>The license was revoked.</summary>
    public const string Revoked = "revoked";
    /// <summary>A rate limit was hit (the response carries <c>Retry-After</c>).</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>The vendor's credit balance is exhausted.</summary>
    public const string NoCredits = "no_credits";
    /// <summary>The app reached its daily credit cap.</summary>
    public const string AppBurnCapReached = "app_burn_cap_reached";
    /// <summary>Unexpected server fault.</summary>
    public const string SystemError = "system_error";

    // Reserved server codes (§3.5): never sent by OrleansLicensing, still recognised.

    /// <summary>Reserved: malformed request (older servers).</summary>
    public const string MalformedRequest = "malformed_request";
    /// <summary>Reserved: demo quota exceeded (older servers).</summary>
    public const string DemoQuotaExceeded = "demo_quota_exceeded";
    /// <summary>Reserved: server fault (older servers).</summary>
    public const string ServerError = "server_error";
    /// <summary>Reserved: checksum required (older servers).</summary>
    public const string ChecksumRequired = "checksum_required";
    /// <summary>Reserved: checksum mismatch (older servers).</summary>
    public const string ChecksumMismatch = "checksum_mismatch";

    // Local codes (§17.4).

    /// <summary>R1: DNS, connect, TLS, timeout or reset failure.</summary>
    public const string NetworkError = "network_error";
    /// <summary>R2: a 2xx/3xx body that is not JSON (captive portal, proxy page).</summary>
    public const string InvalidJsonResponse = "invalid_json_response";
    /// <summary>R2: JSON that is not an object.</summary>
    public const string ResponseNotJsonObject = "response_not_json_object";
    /// <summary>Prefix of R2's <c>http_error_&lt;status&gt;</c>: a non-JSON body with status ≥ 400.</summary>
    public const string HttpErrorPrefix = "http_error_";
    /// <summary>R3: the server answered with a code this SDK does not know.</summary>
    public const string UnknownError = "unknown_error";
    /// <summary>R4: no <c>payload</c> string.</summary>
    public const string MissingPayload = "missing_payload";
    /// <summary>R4: no <c>signature</c> string.</summary>
    public const string MissingSignature = "missing_signature";
    /// <summary>R5: the payload is not standard base64 of a UTF-8 JSON object.</summary>
    public const string InvalidPayload = "invalid_payload";
    /// <summary>R6: the payload does not echo the request's nonce (possible replay or interception).</summary>
    public const string NonceMismatch = "nonce_mismatch";
    /// <summary>R7 (and Local heartbeats): the signature does not verify (possible forgery or downgrade).</summary>
    public const string SignatureMismatch = "signature_mismatch";
    /// <summary>R8: no session token in the payload.</summary>
    public const string MissingSessionToken = "missing_sessionToken";
    /// <summary>R9: <c>keyId</c> present but not a string.</summary>
    public const string InvalidKeyId = "invalid_keyId";
    /// <summary>R10: no expiry in the token body or the payload.</summary>
    public const string MissingExpiresIn = "missing_expiresIn";
    /// <summary>R11: an <c>hmac-v2</c> session token without <c>sigKey</c>.</summary>
    public const string MissingSigKey = "missing_sigKey";

    private static readonly HashSet<string> ServerCodes = new(StringComparer.Ordinal)
    {
        BadRequest, InvalidApp, InvalidKey, SessionExpired, ReplayDetected, Blocked, AppDisabled, HwidMismatch,
        RevokeRequiresSession, Expired, Revoked, RateLimited, NoCredits, AppBurnCapReached, SystemError,
        MalformedRequest, DemoQuotaExceeded, ServerError, ChecksumRequired, ChecksumMismatch,
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        NetworkError, InvalidJsonResponse, ResponseNotJsonObject, RateLimited, NoCredits, AppBurnCapReached,
        DemoQuotaExceeded, SystemError, ServerError, ReplayDetected,
    };

    /// <summary>True for the codes a server may send (§3.5, reserved codes included).</summary>
    public static bool IsServerCode(string code) => ServerCodes.Contains(code);

    /// <summary>
    /// True when a failure with this code is worth retrying (§17.5): network and proxy failures,
    /// <c>http_error_408</c>/<c>429</c>/<c>5xx</c>, rate limits, billing limits, server faults and replays.
    /// Everything else — including <c>nonce_mismatch</c> and <c>signature_mismatch</c> — is permanent.
    /// </summary>
    public static bool IsTransient(string code)
    {
        if (TransientCodes.Contains(code)) return true;
        return TryParseHttpError(code, out var status) && (status == 408 || status == 429 || status >= 500);
    }

    /// <summary>Reads the status of an <c>http_error_&lt;status&gt;</c> code.</summary>
    public static bool TryParseHttpError(string code, out int status)
    {
        status = 0;
        return code.StartsWith(HttpErrorPrefix, StringComparison.Ordinal)
            && int.TryParse(code.AsSpan(HttpErrorPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out status);
    }

    /// <summary>The R2 code for a non-JSON body with HTTP status <paramref name="status"/> ≥ 400.</summary>
    public static string HttpError(int status) => HttpErrorPrefix + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
