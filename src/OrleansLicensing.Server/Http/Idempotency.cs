using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Security;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// <c>Idempotency-Key</c> on every mutating request of <c>/v1</c> and <c>/admin/v1</c>
/// (docs/developer-api.md §2), cluster-wide through <see cref="IdempotencyStore"/>. Two hooks of one component:
/// <list type="number">
/// <item><see cref="IdempotencyPipeline.UseIdempotency"/>, a middleware outside the exception handler, buffers the
/// response of a request that carries the header, so that what is stored is byte for byte what the
/// client receives — error bodies written by the exception handler included — and is stored
/// before the client sees it (a retry right after the answer replays instead of colliding).</item>
/// <item><see cref="BeginAsync"/>, called by the authorization filters once the caller is known
/// (the account, or <c>operator</c>): claims the key, or answers a replay or a 409.</item>
/// </list>
/// Responses below 500 are stored and replayed for 24 h (4xx too, like Stripe: the same request
/// gets the same answer); a 5xx releases the key so that the client can retry. Failures before the
/// claim (401, 403, 429) are neither stored nor do they use the key up.
/// </summary>
public sealed partial class Idempotency(IdempotencyStore store, SecretProtector protector, TimeProvider time, ILogger<Idempotency> logger)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    /// <summary>How long a key and its response are kept.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a claim may stay in progress before it counts as abandoned (its silo died mid-request)
    /// and a retry may run. Far above any request's running time (grain calls time out after 30 s).
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>The operator's scope; developer requests are scoped by account id.</summary>
    public const string OperatorScope = "operator";

    /// <summary>Whether the method changes state (and so honours the header).</summary>
    public static bool IsMutating(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// Claims the request's <c>Idempotency-Key</c> for <paramref name="scope"/>. Returns <c>null</c> when
    /// the request should run (claimed, or no key), or the stored response to replay. Throws a 400 for
    /// a bad header and a 409 for a key used with another request or still in progress.
    /// </summary>
    public async Task<IActionResult?> BeginAsync(HttpContext context, string scope)
    {
        var request = context.Request;
        if (!IsMutating(request.Method) || !request.Headers.TryGetValue(Header, out var values)) return null;
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxKeyLength } key)
        {
            throw ApiException.BadRequest($"{Header}: one value of 1 to {MaxKeyLength} characters");
        }
        var pending = context.Features.Get<PendingIdempotency>()
            ?? throw new InvalidOperationException("UseIdempotency must run before MVC.");

        var fingerprint = await FingerprintAsync(request, context.RequestAborted);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var outcome = await store.TryClaimAsync(scope, key, fingerprint, token, time.GetUtcNow(), Window, Lease, context.RequestAborted);
        switch (outcome.Status)
        {
            case ClaimStatus.Claimed:
                pending.Claim = new IdempotencyClaim(scope, key, token);
                return null;
            case ClaimStatus.Completed:
                var stored = outcome.Response!;
                return new ReplayResult(stored.StatusCode, stored.ContentType, stored.Location, protector.Unprotect(Purpose(scope, key), stored.ProtectedBody));
            case ClaimStatus.FingerprintMismatch:
                throw new ApiException(ApiErrors.Conflict, $"The {Header} was already used for a different request (method, path or body); use a new key");
            default:
                throw new ApiException(ApiErrors.Conflict, $"A request with this {Header} is still in progress; retry after it has completed");
        }
    }

    /// <summary>The middleware step: buffers and finishes requests that carry the header.</summary>
    internal async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        if (!ManagementPaths.Contains(context.Request.Path) || !IsMutating(context.Request.Method) || !context.Request.Headers.ContainsKey(Header))
        {
            await next(context);
            return;
        }

        var pending = new PendingIdempotency();
        context.Features.Set(pending);
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        try
        {
            await next(context);
        }
        catch
        {
            if (pending.Claim is { } claim) await ReleaseQuietlyAsync(claim);
            throw;
        }
        finally
        {
            context.Features.Set(original);
        }

        if (pending.Claim is { } claimed) await FinishAsync(context, claimed, buffer.ToArray());

        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        try
        {
            await buffer.CopyToAsync(original.Stream, context.RequestAborted);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; the response is stored for its retry.
        }
    }

    private async Task FinishAsync(HttpContext context, IdempotencyClaim claim, byte[] body)
    {
        var status = context.Response.StatusCode;
        var cancelled = context.Features.Get<IExceptionHandlerFeature>()?.Error is OperationCanceledException && context.RequestAborted.IsCancellationRequested;
        if (status >= 500 || cancelled)
        {
            await ReleaseQuietlyAsync(claim);
            return;
        }
        var response = new StoredResponse(
            status,
            context.Response.ContentType,
            context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            protector.Protect(Purpose(claim.Scope, claim.Key), body));
        try
        {
            if (!await store.CompleteAsync(claim.Scope, claim.Key, claim.Token, response, time.GetUtcNow(), CancellationToken.None))
            {
                LogClaimLost(claim.Scope, claim.Key);
            }
        }
        catch (Exception error)
        {
            // The effect happened and the client gets its answer; the key stays in progress until the
            // lease ends, so a quick retry gets a 409 rather than a second effect.
            LogStoreFailed(error, claim.Scope, claim.Key);
        }
    }

    private async Task ReleaseQuietlyAsync(IdempotencyClaim claim)
    {
        try
        {
            await store.ReleaseAsync(claim.Scope, claim.Key, claim.Token, CancellationToken.None);
        }
        catch (Exception error)
        {
            LogReleaseFailed(error, claim.Scope, claim.Key);
        }
    }

    /// <summary>Method, path with query, and SHA-256 of the body: what "the same request" means.</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        var bodyHash = await SHA256.HashDataAsync(request.Body, ct);
        request.Body.Position = 0;
        var text = $"{request.Method}\n{request.Path}{request.QueryString}\n{Convert.ToHexStringLower(bodyHash)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Binds a stored body to its row: a ciphertext moved to another scope or key does not decrypt.</summary>
    private static string Purpose(string scope, string key) => $"idempotency-response\n{scope}\n{key}";

    [LoggerMessage(Level = LogLevel.Error, Message = "Idempotency: storing the response for scope {Scope}, key {Key} failed; the key stays in progress until its lease ends")]
    private partial void LogStoreFailed(Exception error, string scope, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency: releasing the key for scope {Scope}, key {Key} failed; it frees itself when its lease ends")]
    private partial void LogReleaseFailed(Exception error, string scope, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency: the claim for scope {Scope}, key {Key} was taken over before its response was stored")]
    private partial void LogClaimLost(string scope, string key);

    /// <summary>The request's claim, once <see cref="BeginAsync"/> made one.</summary>
    private sealed record IdempotencyClaim(string Scope, string Key, string Token);

    /// <summary>Request feature: set by the middleware, filled in by <see cref="BeginAsync"/>.</summary>
    private sealed class PendingIdempotency
    {
        public IdempotencyClaim? Claim { get; set; }
    }

    /// <summary>Writes a stored response again, marked <c>Idempotent-Replayed: true</c>.</summary>
    private sealed class ReplayResult(int status, string? contentType, string? location, byte[] body) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = status;
            if (contentType is not null) response.ContentType = contentType;
            if (location is not null) response.Headers.Location = location;
            response.Headers[ReplayedHeader] = "true";
            if (body.Length > 0) await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}

/// <summary>Registers <see cref="Idempotency"/> in the pipeline.</summary>
public static class IdempotencyPipeline
{
    /// <summary>
    /// Adds the buffering step. Place it outside <c>UseExceptionHandler</c> so that the stored
    /// response is the final one, error bodies included (see <see cref="Idempotency"/>).
    /// </summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) =>
        app.Use((context, next) => context.RequestServices.GetRequiredService<Idempotency>().HandleAsync(context, next));
}

/// <summary>Purges idempotency rows whose 24 h window has ended, on every silo (the delete is idempotent).</summary>
public sealed partial class IdempotencyCleanup(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyCleanup> logger)
    : OrleansLicensing.Server.Hosting.PeriodicJob(time, logger)
{
    /// <summary>How often expired rows are deleted (they are ignored from the moment they expire).</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(15);

    protected override TimeSpan Interval => Every;

    protected override bool RunsAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var purged = await store.PurgeAsync(Time.GetUtcNow() - Idempotency.Window, cancellationToken);
        if (purged > 0) LogPurged(Logger, purged);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency: purged {Count} expired keys")]
    private static partial void LogPurged(ILogger logger, int count);
}
