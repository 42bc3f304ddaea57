using System.Diagnostics.CodeAnalysis;

namespace OrleansLicensing.Server.Auth;

/// <summary>A checked <c>POST /auth/validate</c> body (docs/protocol.md §8.1).</summary>
/// <param name="AppId">1–64 code points, exactly as sent.</param>
/// <param name="AppSecret">1–256 code points, exactly as sent.</param>
/// <param name="LicenseKey">Trimmed and non-empty; not canonicalised (any string is accepted, §11.2 decides).</param>
/// <param name="Hwid">Trimmed, 1–256 code points.</param>
/// <param name="Nonce">8–128 characters in <c>0x21</c>–<c>0x7E</c>, exactly as sent.</param>
/// <param name="TtlSeconds">
/// The requested session lifetime, or <see langword="null"/> when absent. Any integral value, saturated
/// to the <see cref="long"/> range; clamping to the TTL bounds is the caller's (§8.3).
/// </param>
public sealed record ValidateRequest(string AppId, string AppSecret, string LicenseKey, string Hwid, string Nonce, long? TtlSeconds);

/// <summary>A checked <c>POST /auth/heartbeat</c> body (docs/protocol.md §9.1).</summary>
/// <param name="AppId">1–64 code points, exactly as sent.</param>
/// <param name="SessionToken">Trimmed and non-empty; its structure is checked at H4, not here.</param>
/// <param name="Nonce">8–128 characters in <c>0x21</c>–<c>0x7E</c>, exactly as sent.</param>
/// <param name="Hwid">Trimmed, 1–256 code points.</param>
public sealed record HeartbeatRequest(string AppId, string SessionToken, string Nonce, string Hwid);

/// <summary>
/// A checked <c>POST /auth/selfban</c> body (docs/protocol.md §10.1): a
/// <see cref="PostSessionSelfBanRequest"/> when <c>sessionToken</c> is present and not null, else a
/// <see cref="PreSessionSelfBanRequest"/>.
/// </summary>
/// <param name="AppId">1–64 code points, exactly as sent.</param>
/// <param name="Hwid">Trimmed, 1–256 code points.</param>
/// <param name="RevokeLicense">Revoke the license (default: post-session true, pre-session false).</param>
/// <param name="BlacklistHwid">Add the HWID to the app's HWID block list (default true).</param>
/// <param name="BlacklistIp">Add the caller IP to the app's IP block list (default true).</param>
public abstract record SelfBanRequest(string AppId, string Hwid, bool RevokeLicense, bool BlacklistHwid, bool BlacklistIp);

/// <summary>The post-session self-ban form; <c>appSecret</c>, <c>licenseKey</c> and <c>nonce</c> were ignored.</summary>
/// <param name="AppId">1–64 code points, exactly as sent.</param>
/// <param name="SessionToken">Trimmed and non-empty.</param>
/// <param name="Hwid">Trimmed, 1–256 code points.</param>
/// <param name="RevokeLicense">Default true.</param>
/// <param name="BlacklistHwid">Default true.</param>
/// <param name="BlacklistIp">Default true.</param>
public sealed record PostSessionSelfBanRequest(string AppId, string SessionToken, string Hwid, bool RevokeLicense = true, bool BlacklistHwid = true, bool BlacklistIp = true)
    : SelfBanRequest(AppId, Hwid, RevokeLicense, BlacklistHwid, BlacklistIp);

/// <summary>The pre-session self-ban form (no session token).</summary>
/// <param name="AppId">1–64 code points, exactly as sent.</param>
/// <param name="AppSecret">1–256 code points, exactly as sent.</param>
/// <param name="LicenseKey">Trimmed and non-empty; not canonicalised.</param>
/// <param name="Hwid">Trimmed, 1–256 code points.</param>
/// <param name="Nonce">8–128 characters in <c>0x21</c>–<c>0x7E</c>, exactly as sent.</param>
/// <param name="RevokeLicense">Default false; <see langword="true"/> fails at SK7 with <c>revoke_requires_session</c>.</param>
/// <param name="BlacklistHwid">Default true.</param>
/// <param name="BlacklistIp">Default true.</param>
public sealed record PreSessionSelfBanRequest(string AppId, string AppSecret, string LicenseKey, string Hwid, string Nonce, bool RevokeLicense = false, bool BlacklistHwid = true, bool BlacklistIp = true)
    : SelfBanRequest(AppId, Hwid, RevokeLicense, BlacklistHwid, BlacklistIp);

/// <summary>
/// The outcome of reading an auth request body: the request, or the <c>details</c> of a
/// <c>bad_request</c> — plus, in both cases, the <c>appId</c> that selects the failure mode.
/// </summary>
/// <typeparam name="TRequest">The request type of the endpoint.</typeparam>
public sealed class AuthRequestReadResult<TRequest>
    where TRequest : class
{
    private AuthRequestReadResult(TRequest? request, IReadOnlyList<string> details, string? appIdForMode)
    {
        Request = request;
        Details = details;
        AppIdForMode = appIdForMode;
    }

    /// <summary>The checked request; <see langword="null"/> when <see cref="Details"/> is not empty.</summary>
    public TRequest? Request { get; }

    /// <summary>The <c>details</c> of the <c>bad_request</c> (docs/protocol.md §3.3); empty on success.</summary>
    public IReadOnlyList<string> Details { get; }

    /// <summary>
    /// The raw <c>appId</c> (not trimmed, not length-checked) when the body is a JSON object whose
    /// single <c>appId</c> is a string — even when other fields are broken — so the caller can use that
    /// app's failure mode (§3.4). <see langword="null"/> otherwise: use the deployment default.
    /// </summary>
    public string? AppIdForMode { get; }

    /// <summary>Whether the body was valid; then <see cref="Request"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    public bool IsValid => Request is not null;

    internal static AuthRequestReadResult<TRequest> Valid(TRequest request, string? appIdForMode) => new(request, [], appIdForMode);

    internal static AuthRequestReadResult<TRequest> Invalid(IReadOnlyList<string> details, string? appIdForMode) =>
        details.Count == 0
            ? throw new ArgumentException("A failed read has at least one problem.", nameof(details))
            : new(null, details, appIdForMode);
}
