using System.Net;
using System.Security.Cryptography;
using System.Text;
using OrleansLicensing.Accounts;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Limits;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth.Signing;
using OrleansLicensing.Sessions;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// One <c>/auth</c> request (docs/protocol.md §8–§10): the steps of each endpoint in the normative
/// order. Decisions about licenses, credits and lists are made by the grains; this class reads
/// requests, picks the failure mode, asks in order, and writes the exact wire form. Made per request
/// by <see cref="AuthEndpoints"/>, which routes the three endpoints to it without MVC.
/// </summary>
/// <remarks>
/// Grain calls per request (docs/design.md, "The request path"): the app's view, its account's
/// status, the per-app and per-IP buckets come from this silo's memory (<see cref="AuthViews"/>,
/// <see cref="LocalRateLimits"/>); a validate then makes one call to the license, which takes its own
/// bucket (V8) and makes one call to its account (replay step and debit in one group-committed
/// write). A heartbeat makes the same one or two.
/// </remarks>
public sealed partial class AuthExchange(AuthEndpoints edge, HttpContext context)
{
    // The shared services, read from the edge (not copied into every request's object).
    private IGrainFactory grains => edge.Grains;
    private AuthSettings settings => edge.Settings;
    private AppMaterialCache materials => edge.Materials;
    private AuthViews views => edge.Views;
    private LocalRateLimits limits => edge.Limits;
    private SessionActivityBuffer sessions => edge.Sessions;
    private TimeProvider time => edge.Time;
    private readonly ILogger logger = edge.Logger; // a field: the [LoggerMessage] methods below need one

    private HttpContext HttpContext => context;
    private HttpRequest Request => context.Request;
    private HttpResponse Response => context.Response;

    /// <summary><c>POST /auth/validate</c> (§8).</summary>
    public Task Validate() => RunAsync(ValidateAsync, "validate");

    /// <summary><c>POST /auth/heartbeat</c> (§9).</summary>
    public Task Heartbeat() => RunAsync(HeartbeatAsync, "heartbeat");

    /// <summary><c>POST /auth/selfban</c> (§10).</summary>
    public Task SelfBan() => RunAsync(SelfBanAsync, "selfban");

    /// <summary>Failure mode of the request so far: the app's once known, else the deployment default.</summary>
    private FailureMode _mode;

    /// <summary>What this request's outcome adds to its app's auth log (recorded once, in <see cref="RunAsync"/>).</summary>
    private readonly AuthLogs.AuthLogDraft _log = new();

    private async Task RunAsync(Func<ReadOnlyMemory<byte>, Task> handle, string endpoint)
    {
        _mode = settings.DefaultFailureMode;
        var requestId = HttpContext.TraceIdentifier;
        HttpContext.Features.Set(_log); // the outcome, for the request metrics and log line (Observability/RequestObserver.cs)
        var countingCalls = edge.GrainCalls.Begin(requestId);
        try
        {
            var body = await AuthRequestReader.ReadBodyAsync(Request, HttpContext.RequestAborted);
            if (body is not { } bytes)
            {
                await FailAsync(AuthError.BadRequest, AuthRequestReader.BodyTooLargeDetails);
                return;
            }
            await handle(bytes);
        }
        catch (BadHttpRequestException bad) when (!HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The body broke off or is malformed on the wire (a bad chunk): the client's fault, not the server's.
            if (!Response.HasStarted) await FailAsync(AuthError.BadRequest, [$"body: {bad.Message}"]);
        }
        catch (Exception error) when (!HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogFault(error, Request.Path.Value ?? "", HttpContext.TraceIdentifier);
            if (!Response.HasStarted) await FailAsync(AuthError.SystemError);
        }
        finally
        {
            // Queued only (AuthLogs/AuthLog.cs): no storage write on this path.
            if (countingCalls) edge.GrainCalls.End(requestId, endpoint);
            edge.AuthLog.Record(_log, endpoint, Response.HasStarted);
        }
    }

    private async Task ValidateAsync(ReadOnlyMemory<byte> body)
    {
        var (request, app, ip) = await AcceptAsync(AuthRequestReader.ReadValidate(body.Span));                  // V1–V3
        if (request is null) return;
        if (!await TakeAsync(settings.ValidatePerIp, "rl_ip_" + ip)) return;                                  // V4
        app = await AuthenticatedAppAsync(app, request.AppSecret);                                            // V5–V6
        if (app is null) return;
        var material = materials.For(app);
        if (!material.Security.Admits(ip, request.Hwid))
        {
            await FailAsync(AuthError.Blocked);                                                                // V7
            return;
        }
        var licenseKey = LicenseKey.Canonicalize(request.LicenseKey);
        if (!LicenseKey.IsWellFormed(licenseKey))
        {
            // Not a key at all: no license grain to hold its bucket or ask the account.
            if (!await TakeSharedAsync(settings.ValidatePerLicense, LicenseBucket("rl_lv_", app.AppId, licenseKey))) return; // V8
            if (!await NonceIsFreshAsync(app, request.Nonce)) return;                                         // V9
            await FailAsync(AuthError.InvalidKey);                                                             // V10
            return;
        }

        var validation = new LicenseValidation(app.AppId, request.Hwid, ip.ToString(), app.DailyCreditCap, app.WantsValidatedEvents,
            app.AccountId, request.Nonce, settings.ValidatePerLicense);
        var license = grains.Reference<ILicenseGrain>(ILicenseGrain.KeyFor(licenseKey));
        var verdict = await SiloLossRetry.RunAsync(repeat => license.Validate(repeat ? validation with { Repeat = true } : validation),
            time, HttpContext.RequestAborted);                                                                 // V8–V16 (one V8 token per request)
        if (verdict.View is not { } licenseView)
        {
            await FailAsync(Map(verdict.Code, heartbeat: false), retryAfterSeconds: verdict.Code == LicenseVerdictCode.RateLimited ? verdict.RetryAfterSeconds : null);
            return;
        }

        var now = time.GetUtcNow();
        var ttl = request.TtlSeconds is { } asked ? Math.Clamp(asked, SessionTokenCodec.MinTtl, SessionTokenCodec.MaxTtl) : DefaultTtl; // §8.3
        var token = new SessionTokenBody(
            SessionTokenCodec.NewSid(), app.AppId, licenseKey, request.Hwid, ttl, now.ToUnixTimeSeconds(),
            SessionExpiry(now, ttl, licenseView), app.SigningScheme == SigningScheme.HmacV2 ? SessionTokenCodec.NewSigKey() : null);
        await SucceedAsync(app, material, licenseView, token, request.Nonce, now, requestSigKey: null);
    }

    private async Task HeartbeatAsync(ReadOnlyMemory<byte> body)
    {
        var (request, app, ip) = await AcceptAsync(AuthRequestReader.ReadHeartbeat(body.Span));                 // H1–H3
        if (request is null) return;
        var (session, activeApp) = await AdmitSessionAsync(request.AppId, request.SessionToken, request.Hwid, app, requireHmacV2SigKey: true); // H4–H8
        if (session is null || activeApp is null) return;
        app = activeApp;
        var material = materials.For(app);
        if (!material.Security.Admits(ip, request.Hwid))
        {
            await FailAsync(AuthError.Blocked);                                                                // H9
            return;
        }
        if (!LicenseKey.IsWellFormed(session.LicenseKey))
        {
            if (!await TakeSharedAsync(settings.HeartbeatPerLicense, LicenseBucket("rl_lh_", app.AppId, session.LicenseKey))) return; // H10
            await FailAsync(AuthError.SessionExpired);                                                         // H11
            return;
        }

        var verdict = await grains.Reference<ILicenseGrain>(ILicenseGrain.KeyFor(session.LicenseKey))
            .Heartbeat(new LicenseHeartbeat(app.AppId, session.Hwid, ip.ToString(), app.DailyCreditCap, settings.HeartbeatBillingInterval,
                settings.HeartbeatPerLicense));                                                                // H10–H17
        if (verdict.View is not { } license)
        {
            await FailAsync(Map(verdict.Code, heartbeat: true), retryAfterSeconds: verdict.Code == LicenseVerdictCode.RateLimited ? verdict.RetryAfterSeconds : null);
            return;
        }

        var now = time.GetUtcNow();
        var refreshed = session with
        {
            Iat = now.ToUnixTimeSeconds(),
            Exp = SessionExpiry(now, session.Ttl, license),
            // §9.3: sigKey is carried over for hmac-v2 apps only.
            SigKey = app.SigningScheme == SigningScheme.HmacV2 ? session.SigKey : null,
        };
        RecordHeartbeat(refreshed, ip, now);
        await SucceedAsync(app, material, license, refreshed, request.Nonce, now,
            requestSigKey: app.SigningScheme == SigningScheme.HmacV2 ? session.SigKey : null);
    }

    private async Task SelfBanAsync(ReadOnlyMemory<byte> body)
    {
        var (request, app, ip) = await AcceptAsync(AuthRequestReader.ReadSelfBan(body.Span));                   // SP1–SP3 / SK1–SK3
        if (request is null) return;

        if (request is PostSessionSelfBanRequest post)
        {
            var (session, activeApp) = await AdmitSessionAsync(request.AppId, post.SessionToken, request.Hwid, app, requireHmacV2SigKey: false); // SP4–SP7
            if (session is null || activeApp is null) return;
            var license = grains.Reference<ILicenseGrain>(ILicenseGrain.KeyFor(session.LicenseKey));
            if (!LicenseKey.IsWellFormed(session.LicenseKey) || !await license.ExistsIn(activeApp.AppId))
            {
                await FailAsync(AuthError.SessionExpired);                                                     // SP8
                return;
            }
            var revoked = false;                                                                               // SP9
            if (request.RevokeLicense)
            {
                var changed = await license.Change(new LicenseChange(LicenseAction.Revoke, Reason: "self_ban"));
                revoked = changed?.Status == LicenseStatus.Revoked;
            }
            var listing = await BlockAsync(activeApp, request.BlacklistHwid ? session.Hwid : null, request.BlacklistIp ? ip : null);
            await AuthResponses.WriteSelfBanSuccessAsync(Response, revoked, listing.HwidBlacklisted, listing.IpBlacklisted);
            return;
        }

        var pre = (PreSessionSelfBanRequest)request;
        if (!await TakeAsync(settings.ValidatePerIp, "rl_ip_" + ip)) return;                                  // SK4
        app = await AuthenticatedAppAsync(app, pre.AppSecret);                                                // SK5–SK6
        if (app is null) return;
        if (request.RevokeLicense)
        {
            await FailAsync(AuthError.RevokeRequiresSession);                                                  // SK7
            return;
        }
        if (!await NonceIsFreshAsync(app, pre.Nonce)) return;                                                 // SK8
        var key = LicenseKey.Canonicalize(pre.LicenseKey);
        if (!LicenseKey.IsWellFormed(key) || !await grains.Reference<ILicenseGrain>(ILicenseGrain.KeyFor(key)).ExistsIn(app.AppId))
        {
            await FailAsync(AuthError.InvalidKey);                                                             // SK9
            return;
        }
        var result = await BlockAsync(app, request.BlacklistHwid ? request.Hwid : null, request.BlacklistIp ? ip : null); // SK10
        await AuthResponses.WriteSelfBanSuccessAsync(Response, false, result.HwidBlacklisted, result.IpBlacklisted);
    }

    private const long DefaultTtl = 86400;

    /// <summary>§8.3 / §9.3: now + ttl, capped at the license's expiry.</summary>
    private static long SessionExpiry(DateTimeOffset now, long ttl, LicensePayloadView license)
    {
        var exp = now.ToUnixTimeSeconds() + ttl;
        return license.ExpiresAt is { } expiresAt ? Math.Min(exp, expiresAt.ToUnixTimeSeconds()) : exp;
    }

    private async Task SucceedAsync(AppAuthView app, AppMaterial material, LicensePayloadView license, SessionTokenBody token, string nonce, DateTimeOffset now, string? requestSigKey)
    {
        var payload = new AuthPayload(
            settings.Tokens.Issue(token), token.Exp, nonce, now, HttpContext.TraceIdentifier, license.ExpiresAt,
            license.UnlimitedHwidSlots ? 0 : license.MaxHwidSlots, license.HwidCount, license.Label, license.UnlimitedHwidSlots,
            app.Variables, license.Variables);
        await SuccessEnvelope.WriteAsync(Response, payload, ResponseSigning.For(app.SigningScheme), material.Keys, nonce, requestSigKey);
    }

    /// <summary>The session's live record (observability only, §5.5): buffered, handed to its grain once a second.</summary>
    private void RecordHeartbeat(SessionTokenBody token, IPAddress ip, DateTimeOffset now) =>
        sessions.Record(token.Sid, new SessionActivity(token.AppId, token.LicenseKey, token.Hwid, token.Ttl, ip.ToString(), now, token.Exp));

    private async Task<SelfBanListing> BlockAsync(AppAuthView app, string? hwid, IPAddress? ip) =>
        hwid is null && ip is null
            ? new SelfBanListing(false, false)
            : await grains.Reference<IAppGrain>(IAppGrain.KeyFor(app.AppId)).BlockForSelfBan(hwid, ip?.ToString());

    /// <summary>
    /// The first steps every endpoint shares: a readable body with valid fields, the app it names (whose
    /// failure mode applies from here on, §3.4) and the app's request bucket. A <c>null</c> request
    /// means the failure has been written.
    /// </summary>
    private async Task<(TRequest? Request, AppAuthView? App, IPAddress Ip)> AcceptAsync<TRequest>(AuthRequestReadResult<TRequest> read)
        where TRequest : class
    {
        // The app's view and its request bucket (V3/H3) come in one call; a request that failed V1/V2
        // only needs the view (for its failure mode) and takes no token.
        var app = (AppAuthView?)null;
        var admission = RateDecision.Allow;
        if (!string.IsNullOrEmpty(read.AppIdForMode) && read.AppIdForMode.Length <= 64)
        {
            app = await views.App(read.AppIdForMode);
            if (app is not null && read.Request is not null && settings.AppBucket is { } bucket)
            {
                admission = limits.TryTake("app\n" + app.AppId, bucket);
            }
        }
        if (app is not null) _mode = app.FailureHttpStatus; // the app's failure mode applies from here on (§3.4)
        var ip = CallerIp.Resolve(HttpContext, settings.TrustedProxies);
        _log.Accepted(app?.AppId, read.Request, ip);
        if (read.Request is null)
        {
            await FailAsync(AuthError.BadRequest, read.Details);
            return (null, app, ip);
        }
        if (!admission.Allowed)
        {
            await FailAsync(AuthError.RateLimited, retryAfterSeconds: admission.RetryAfterSeconds);
            return (null, app, ip);
        }
        return (read.Request, app, ip);
    }

    /// <summary>V5–V6 / SK5–SK6: the app exists, is active, the secret matches, and its account is not suspended.</summary>
    private async Task<AppAuthView?> AuthenticatedAppAsync(AppAuthView? app, string secret)
    {
        if (app is not { Status: AppStatus.Active } || !SecretComparer.AreEqual(secret, app.AppSecret))
        {
            await FailAsync(AuthError.InvalidApp);
            return null;
        }
        return await AccountActiveAsync(app) ? app : null;
    }

    /// <summary>
    /// H4–H8 / SP4–SP7: the token is valid for the app (§5.4), the app is active, its account is not
    /// suspended, (heartbeat only) an hmac-v2 token carries its sigKey, and the HWID is the token's.
    /// </summary>
    private async Task<(SessionTokenBody? Session, AppAuthView? App)> AdmitSessionAsync(string appId, string token, string hwid, AppAuthView? app, bool requireHmacV2SigKey)
    {
        if (!settings.Tokens.TryVerify(token, appId, time.GetUtcNow().ToUnixTimeSeconds(), out var session))
        {
            await FailAsync(AuthError.SessionExpired);
            return (null, null);
        }
        _log.Session(session.LicenseKey);
        if (app is not { Status: AppStatus.Active })
        {
            await FailAsync(AuthError.InvalidApp);
            return (null, null);
        }
        if (!await AccountActiveAsync(app)) return (null, null);
        if (requireHmacV2SigKey && app.SigningScheme == SigningScheme.HmacV2 && string.IsNullOrEmpty(session.SigKey))
        {
            await FailAsync(AuthError.SessionExpired);
            return (null, null);
        }
        if (!string.Equals(hwid, session.Hwid, StringComparison.Ordinal))
        {
            await FailAsync(AuthError.HwidMismatch);
            return (null, null);
        }
        return (session, app);
    }

    /// <summary>
    /// V9 / SK8 for requests that reach no license (pre-session self-ban, a string that is not a key):
    /// the app's account records the nonce in the replay window; a repeat is <c>replay_detected</c>.
    /// </summary>
    private async Task<bool> NonceIsFreshAsync(AppAuthView app, string nonce)
    {
        if (await grains.Reference<IDeveloperAccountGrain>(app.AccountId).RecordNonce(app.AppId, nonce)) return true;
        await FailAsync(AuthError.ReplayDetected);
        return false;
    }

    private async Task<bool> AccountActiveAsync(AppAuthView app)
    {
        var status = await views.AccountStatus(app.AccountId);
        if (status == AccountStatus.Active) return true;
        await FailAsync(status is null ? AuthError.InvalidApp : AuthError.AppDisabled);
        return false;
    }

    /// <summary>A bucket of this silo's share (per caller IP).</summary>
    private async Task<bool> TakeAsync(TokenBucketSpec? spec, string bucket)
    {
        if (spec is null) return true;
        var decision = limits.TryTake(bucket, spec);
        if (decision.Allowed) return true;
        await FailAsync(AuthError.RateLimited, retryAfterSeconds: decision.RetryAfterSeconds);
        return false;
    }

    /// <summary>A cluster-wide bucket in its own grain (per-license buckets of strings that name no license).</summary>
    private async Task<bool> TakeSharedAsync(TokenBucketSpec? spec, string bucket)
    {
        if (spec is null) return true;
        var decision = await grains.Reference<IRateLimitGrain>(bucket).TryTake(spec);
        if (decision.Allowed) return true;
        await FailAsync(AuthError.RateLimited, retryAfterSeconds: decision.RetryAfterSeconds);
        return false;
    }

    /// <summary>Bucket name for a (app, license key) pair; hashed because a submitted key may be any string.</summary>
    private static string LicenseBucket(string prefix, string appId, string licenseKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(appId + "\n" + licenseKey), hash);
        return prefix + Convert.ToHexStringLower(hash[..16]);
    }

    private static AuthError Map(LicenseVerdictCode code, bool heartbeat) => code switch
    {
        LicenseVerdictCode.InvalidKey => heartbeat ? AuthError.SessionExpired : AuthError.InvalidKey,
        LicenseVerdictCode.Revoked => AuthError.Revoked,
        LicenseVerdictCode.Expired => AuthError.Expired,
        LicenseVerdictCode.HwidMismatch => AuthError.HwidMismatch,
        LicenseVerdictCode.NoCredits => AuthError.NoCredits,
        LicenseVerdictCode.DailyCapReached => AuthError.AppBurnCapReached,
        LicenseVerdictCode.SessionExpired => AuthError.SessionExpired,
        LicenseVerdictCode.RateLimited => AuthError.RateLimited,
        LicenseVerdictCode.ReplayDetected => AuthError.ReplayDetected,
        _ => AuthError.SystemError,
    };

    private Task FailAsync(AuthError error, IReadOnlyList<string>? details = null, int? retryAfterSeconds = null)
    {
        _log.Failed(error);
        return AuthResponses.WriteFailureAsync(Response, error, _mode, details, retryAfterSeconds);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Auth request {Path} failed (request {RequestId})")]
    private partial void LogFault(Exception error, string path, string requestId);
}
