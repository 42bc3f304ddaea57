using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Operator;

/// <summary>Requires <c>Authorization: Bearer &lt;operator token&gt;</c>, compared in constant time.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OperatorAuthorizeAttribute : TypeFilterAttribute
{
    public OperatorAuthorizeAttribute() : base(typeof(OperatorAuthorizationFilter)) { }
}

/// <summary>Authenticates the operator, then claims the request's <c>Idempotency-Key</c> in the operator's scope.</summary>
public sealed class OperatorAuthorizationFilter(GeneratedSecrets secrets, Idempotency idempotency) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var token = BearerToken.Read(context.HttpContext.Request);
        if (!SecretComparer.AreEqual(token, secrets.OperatorToken))
        {
            // The error table has one 401 code; it covers the operator token too.
            throw new ApiException(ApiErrors.InvalidApiKey, token is null
                ? "Missing operator token: send Authorization: Bearer <operator token>"
                : "Invalid operator token");
        }
        if (await idempotency.BeginAsync(context.HttpContext, Idempotency.OperatorScope) is { } replay) context.Result = replay;
    }
}
