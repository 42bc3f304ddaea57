using System.Net;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Auth;

namespace OrleansLicensing.Server.AuthLogs;

/// <summary>One outcome of an <c>/auth/*</c> request of an existing app, as stored and listed.</summary>
/// <param name="AppId">The app the request named.</param>
/// <param name="At">When the outcome was decided.</param>
/// <param name="Endpoint"><c>validate</c>, <c>heartbeat</c> or <c>selfban</c>.</param>
/// <param name="Result"><c>success</c> or the auth error code (docs/protocol.md §3.5).</param>
/// <param name="LicenseKey">The canonical submitted key, or the session's key; null when the request had none that was readable.</param>
/// <param name="Hwid">The submitted HWID; null when the body was unreadable.</param>
/// <param name="Ip">The caller IP (docs/protocol.md §2.5).</param>
public sealed record AuthLogEntry(string AppId, DateTimeOffset At, string Endpoint, string Result, string? LicenseKey, string? Hwid, string Ip);

/// <summary>A stored entry with its id (the keyset of the listing).</summary>
public sealed record StoredAuthLogEntry(long Id, AuthLogEntry Entry);

/// <summary>
/// What one <c>/auth/*</c> request contributes to its app's log, filled in by
/// <see cref="Auth.AuthExchange"/> as its steps run and handed to <see cref="AuthLog.Record"/> once at the end.
/// </summary>
public sealed class AuthLogDraft
{
    /// <summary>Longest license key text kept (a submitted "key" may be any string).</summary>
    public const int MaxLicenseKeyLength = 64;

    private string? _appId;
    private string? _submittedKey;
    private string? _hwid;
    private IPAddress? _ip;
    private string? _sessionKey;
    private AuthError? _error;

    /// <summary>The request's app (if it exists), its checked body (if readable) and the caller IP.</summary>
    public void Accepted(string? existingAppId, object? request, IPAddress ip)
    {
        _appId = existingAppId;
        _ip = ip;
        (_submittedKey, _hwid) = request switch
        {
            ValidateRequest v => (v.LicenseKey, v.Hwid),
            PreSessionSelfBanRequest p => (p.LicenseKey, p.Hwid),
            SelfBanRequest s => (null, s.Hwid),
            HeartbeatRequest h => (null, h.Hwid),
            _ => (null, null),
        };
    }

    /// <summary>The license key of a verified session token.</summary>
    public void Session(string licenseKey) => _sessionKey = licenseKey;

    /// <summary>The failure that was answered.</summary>
    public void Failed(AuthError error) => _error = error;

    /// <summary>The answered result: <c>success</c>, the auth error code, or <c>null</c> when nothing was answered.</summary>
    public string? ResultCode(bool responded) => _error?.Code() ?? (responded ? "success" : null);

    /// <summary>The entry, or <c>null</c> when the request named no existing app or no outcome was answered.</summary>
    internal AuthLogEntry? ToEntry(string endpoint, bool responded, DateTimeOffset now)
    {
        if (_appId is null || _ip is null) return null;
        var result = ResultCode(responded);
        if (result is null) return null;
        var key = _sessionKey ?? (_submittedKey is null ? null : LicenseKey.Canonicalize(_submittedKey));
        if (key is { Length: > MaxLicenseKeyLength }) key = key[..MaxLicenseKeyLength];
        return new AuthLogEntry(_appId, now, endpoint, result, key, _hwid, OrleansLicensing.Apps.IpRules.Format(_ip));
    }
}
