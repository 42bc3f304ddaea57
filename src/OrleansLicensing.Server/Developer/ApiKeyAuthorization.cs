using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using OrleansLicensing.Accounts;
using OrleansLicensing.Limits;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Developer;

/// <summary>The caller of a <c>/v1</c> request, established by <see cref="ApiKeyAuthorizationFilter"/>.</summary>
/// <param name="AccountId">The account the API key belongs to; every resource the request touches must belong to it.</param>
/// <param name="ApiKeyId">The key's public id (<c>key_…</c>).</param>
/// <param name="Scopes">The key's scopes.</param>
/// <param name="Account">The account as read during authentication (active).</param>
public sealed record ApiCaller(string AccountId, string ApiKeyId, IReadOnlyList<string> Scopes, AccountSnapshot Account);

/// <summary>Access to the authenticated <see cref="ApiCaller"/>.</summary>
public static class ApiCallerAccess
{
    /// <summary>The caller of this request; only valid behind <see cref="ApiKeyAuthorizeAttribute"/>.</summary>
    public static ApiCaller ApiCaller(this HttpContext context) =>
        context.Features.Get<ApiCaller>() ?? throw new InvalidOperationException("No API caller: the controller lacks [ApiKeyAuthorize].");
}

/// <summary>
/// Requires <c>Authorization: Bearer af_live_…</c> of an active account, and the scope named by the
/// action's <see cref="RequireScopeAttribute"/> (an action without one needs <c>*</c>: fail closed).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ApiKeyAuthorizeAttribute : TypeFilterAttribute
{
    /// <summary>Applies <see cref="ApiKeyAuthorizationFilter"/>.</summary>
    public ApiKeyAuthorizeAttribute() : base(typeof(ApiKeyAuthorizationFilter)) { }
}

/// <summary>The scope an action needs (docs/developer-api.md §4); see <see cref="DeveloperScopes.Grants"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequireScopeAttribute(string scope) : Attribute
{
    /// <summary>The required scope.</summary>
    public string Scope { get; } = scope;
}

/// <summary>
/// Authenticates a <c>/v1</c> request. Order: missing, malformed, unknown, revoked or expired key →
/// 401 <c>invalid_api_key</c>; the key's rate limit → 429 <c>rate_limited</c>; missing scope → 403;
/// suspended account → 403; then the <c>Idempotency-Key</c> is claimed for the account (or the
/// stored response replayed). A malformed key is refused before any grain is called, and a key
/// without the scope before the account is read.
/// </summary>
public sealed class ApiKeyAuthorizationFilter(ApiKeyAuthenticator authenticator, Idempotency idempotency) : IAsyncAuthorizationFilter
{
    /// <inheritdoc />
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var apiKey = BearerToken.Read(context.HttpContext.Request)
            ?? throw new ApiException(ApiErrors.InvalidApiKey, "Missing API key: send Authorization: Bearer af_live_…");
        if (!ApiKeys.IsWellFormed(apiKey)) throw new ApiException(ApiErrors.InvalidApiKey, "Malformed API key");

        var required = context.ActionDescriptor.EndpointMetadata.OfType<RequireScopeAttribute>().LastOrDefault()?.Scope ?? DeveloperScopes.All;
        var caller = await authenticator.AuthenticateAsync(ApiKeys.Hash(apiKey), required);
        context.HttpContext.Features.Set(caller);

        // Keys are scoped by account: two keys of one account share them, other accounts never see them.
        if (await idempotency.BeginAsync(context.HttpContext, caller.AccountId) is { } replay) context.Result = replay;
    }

}

/// <summary>
/// The checks every API-key caller passes, in this order: unknown, revoked or expired key → 401
/// <c>invalid_api_key</c>; the key's rate limit → 429 <c>rate_limited</c>; missing scope → 403;
/// suspended account → 403. Used by <c>/v1</c> (<see cref="ApiKeyAuthorizationFilter"/>) and by
/// every request of a vendor's web-console session, so both enforce the same rules.
/// </summary>
public sealed class ApiKeyAuthenticator(IGrainFactory grains, TimeProvider time, LicensingSettings settings)
{
    /// <summary>The message of the 403 for a suspended account (the console ends the session on it).</summary>
    public const string SuspendedMessage = "The account is suspended";

    /// <summary>
    /// The caller behind the key with this hash, allowed <paramref name="requiredScope"/> (<c>null</c>:
    /// any valid key, as at console sign-in), or an <see cref="ApiException"/>.
    /// </summary>
    public async Task<ApiCaller> AuthenticateAsync(string apiKeyHash, string? requiredScope)
    {
        var binding = await grains.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(apiKeyHash)).Get()
            ?? throw new ApiException(ApiErrors.InvalidApiKey, "Unknown API key");
        if (binding.RevokedAt is not null) throw new ApiException(ApiErrors.InvalidApiKey, "API key revoked");
        if (binding.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            throw new ApiException(ApiErrors.InvalidApiKey, "API key expired");
        }

        // Every authenticated request counts, refused ones included: one bucket per key in the whole cluster.
        if (RateLimit(settings) is { } bucket)
        {
            var decision = await grains.GetGrain<IRateLimitGrain>($"rl_api_{binding.ApiKeyId}").TryTake(bucket);
            if (!decision.Allowed)
            {
                throw ApiException.RateLimited("Too many requests for this API key", decision.RetryAfterSeconds);
            }
        }

        if (requiredScope is not null && !DeveloperScopes.Grants(binding.Scopes, requiredScope))
        {
            throw new ApiException(ApiErrors.Forbidden, $"The API key lacks the scope {requiredScope}");
        }

        // Read on every request (in memory on the account's activation): a suspension applies at once.
        var account = await grains.GetGrain<IDeveloperAccountGrain>(binding.AccountId).Get()
            ?? throw new ApiException(ApiErrors.InvalidApiKey, "Unknown API key");
        if (account.Status == AccountStatus.Suspended)
        {
            throw new ApiException(ApiErrors.Forbidden, SuspendedMessage);
        }
        return new ApiCaller(binding.AccountId, binding.ApiKeyId, binding.Scopes, account);
    }

    /// <summary>The per-key bucket of <c>Licensing:Api:RateLimits</c>, or <c>null</c> when either value is 0 (no limit).</summary>
    private static TokenBucketSpec? RateLimit(LicensingSettings settings)
    {
        var limits = settings.Licensing.Api.RateLimits;
        return limits.Burst > 0 && limits.PerSecond > 0 ? new TokenBucketSpec(limits.Burst, limits.PerSecond) : null;
    }
}
