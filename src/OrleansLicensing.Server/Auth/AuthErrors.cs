using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The failure codes of <c>/auth/*</c> (docs/protocol.md §3.5). The only way to name a failure:
/// wire strings and statuses come from <see cref="AuthErrors"/>, so a code outside the registry —
/// in particular a reserved one — cannot be sent.
/// </summary>
public enum AuthError
{
    /// <summary><c>bad_request</c>: request body or fields invalid; carries <c>details</c>. 400.</summary>
    BadRequest,
    /// <summary><c>invalid_app</c>: no such app, app disabled or deleted, or wrong <c>appSecret</c>. 401.</summary>
    InvalidApp,
    /// <summary><c>invalid_key</c>: no license with this key in this app. 401.</summary>
    InvalidKey,
    /// <summary><c>session_expired</c>: session token unusable. 401.</summary>
    SessionExpired,
    /// <summary><c>replay_detected</c>: nonce already used for this app within 24 h. 401.</summary>
    ReplayDetected,
    /// <summary><c>blocked</c>: caller IP or HWID rejected by the security lists. 403.</summary>
    Blocked,
    /// <summary><c>app_disabled</c>: the app's owning account is suspended. 403.</summary>
    AppDisabled,
    /// <summary><c>hwid_mismatch</c>: HWID not bound and no free slot, or differs from the token's. 403.</summary>
    HwidMismatch,
    /// <summary><c>revoke_requires_session</c>: pre-session self-ban asked to revoke the license. 403.</summary>
    RevokeRequiresSession,
    /// <summary><c>expired</c>: license expiry reached. 410.</summary>
    Expired,
    /// <summary><c>revoked</c>: license revoked. 410.</summary>
    Revoked,
    /// <summary><c>rate_limited</c>: a rate limit was hit; <c>Retry-After</c> is set. 429.</summary>
    RateLimited,
    /// <summary><c>no_credits</c>: a credit debit was due and the balance is below 1. 429.</summary>
    NoCredits,
    /// <summary><c>app_burn_cap_reached</c>: a credit debit was due and the app reached its daily cap. 429.</summary>
    AppBurnCapReached,
    /// <summary><c>system_error</c>: unexpected server fault, never caused by client input. 500.</summary>
    SystemError,
}

/// <summary>The error registry of docs/protocol.md §3.5: code → wire string → semantic HTTP status, once.</summary>
public static class AuthErrors
{
    /// <summary>
    /// Code of the 404 for an unknown path under <c>{PathPrefix}/auth/</c> (§2.1); outside the
    /// registry and not affected by the failure mode.
    /// </summary>
    public const string NotFoundCode = "not_found";

    /// <summary>Code of the 405 for a method other than POST on an auth endpoint (§2.1); outside the registry.</summary>
    public const string MethodNotAllowedCode = "method_not_allowed";

    /// <summary>
    /// Codes some official SDKs know but this server MUST NOT send (§3.5, C14). Listed so tests can
    /// prove <see cref="Code"/> never yields one.
    /// </summary>
    public static IReadOnlyList<string> ReservedCodes { get; } =
        ["malformed_request", "demo_quota_exceeded", "server_error", "checksum_required", "checksum_mismatch"];

    /// <summary>Every registered error, in registry order.</summary>
    public static IReadOnlyList<AuthError> All { get; } = Array.AsReadOnly(Enum.GetValues<AuthError>());

    /// <summary>The wire string of an error, e.g. <c>app_burn_cap_reached</c>.</summary>
    /// <param name="error">A registered error.</param>
    /// <returns>The code written as <c>error</c> in failure bodies.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a registered error.</exception>
    public static string Code(this AuthError error) => error switch
    {
        AuthError.BadRequest => "bad_request",
        AuthError.InvalidApp => "invalid_app",
        AuthError.InvalidKey => "invalid_key",
        AuthError.SessionExpired => "session_expired",
        AuthError.ReplayDetected => "replay_detected",
        AuthError.Blocked => "blocked",
        AuthError.AppDisabled => "app_disabled",
        AuthError.HwidMismatch => "hwid_mismatch",
        AuthError.RevokeRequiresSession => "revoke_requires_session",
        AuthError.Expired => "expired",
        AuthError.Revoked => "revoked",
        AuthError.RateLimited => "rate_limited",
        AuthError.NoCredits => "no_credits",
        AuthError.AppBurnCapReached => "app_burn_cap_reached",
        AuthError.SystemError => "system_error",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Not an error of the auth registry."),
    };

    /// <summary>The HTTP status of an error in <see cref="FailureMode.Semantic"/> mode.</summary>
    /// <param name="error">A registered error.</param>
    /// <returns>400, 401, 403, 410, 429 or 500.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a registered error.</exception>
    public static int SemanticStatus(this AuthError error) => error switch
    {
        AuthError.BadRequest => StatusCodes.Status400BadRequest,
        AuthError.InvalidApp or AuthError.InvalidKey or AuthError.SessionExpired or AuthError.ReplayDetected
            => StatusCodes.Status401Unauthorized,
        AuthError.Blocked or AuthError.AppDisabled or AuthError.HwidMismatch or AuthError.RevokeRequiresSession
            => StatusCodes.Status403Forbidden,
        AuthError.Expired or AuthError.Revoked => StatusCodes.Status410Gone,
        AuthError.RateLimited or AuthError.NoCredits or AuthError.AppBurnCapReached => StatusCodes.Status429TooManyRequests,
        AuthError.SystemError => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Not an error of the auth registry."),
    };

    /// <summary>The HTTP status a failure carries under a failure mode (§3.4).</summary>
    /// <param name="error">A registered error.</param>
    /// <param name="mode">The mode in effect for the request.</param>
    /// <returns>200 in <see cref="FailureMode.Always200"/>, <see cref="SemanticStatus"/> otherwise.</returns>
    public static int HttpStatus(this AuthError error, FailureMode mode)
    {
        var semantic = error.SemanticStatus(); // validates the error in both modes
        return mode switch
        {
            FailureMode.Always200 => StatusCodes.Status200OK,
            FailureMode.Semantic => semantic,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a failure mode."),
        };
    }
}
