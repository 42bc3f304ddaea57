using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Marks a console page as the vendor's or the operator's; pages without it are public (sign-in).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ConsoleAreaAttribute(ConsoleSessionKind kind) : Attribute
{
    /// <summary>Who may open the page.</summary>
    public ConsoleSessionKind Kind { get; } = kind;
}

/// <summary>
/// The API-key scope a vendor page (on the class) or one of its handlers (on the method) needs; the
/// same scopes as the matching <c>/v1</c> route. A vendor page without one needs <c>*</c> (fail closed).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ConsoleScopeAttribute(string scope) : Attribute
{
    /// <summary>The required scope.</summary>
    public string Scope { get; } = scope;
}

/// <summary>A public page that shows the navigation of whoever is signed in (the not-found page).</summary>
public interface IPublicPageWithNavigation;

/// <summary>Who is signed in to the console for this request.</summary>
/// <param name="Kind">Vendor or operator.</param>
/// <param name="Caller">The vendor's API caller, authenticated this request like a <c>/v1</c> call (null for the operator).</param>
public sealed record ConsoleVisitor(ConsoleSessionKind Kind, ApiCaller? Caller)
{
    /// <summary>Whether the vendor's key grants <paramref name="scope"/> (the operator: never).</summary>
    public bool Can(string scope) => Caller is { } caller && DeveloperScopes.Grants(caller.Scopes, scope);
}

/// <summary>
/// Guards every console page that carries <see cref="ConsoleAreaAttribute"/>: reads the session
/// cookie, loads the server-side session, and authenticates it again on every request. A vendor
/// session goes through <see cref="ApiKeyAuthenticator"/> with the handler's scope (revoked or
/// expired key, rate limit, scope, suspended account: the same rules as <c>/v1</c>); an operator
/// session must still match the configured operator token. A session that no longer holds ends
/// and the browser goes to the sign-in page with the reason.
/// </summary>
public sealed class ConsoleAccessFilter(ConsoleSessionStore sessions, ApiKeyAuthenticator authenticator, GeneratedSecrets secrets) : IAsyncPageFilter
{
    /// <inheritdoc />
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerInstance is not ConsolePageModel page) { await next(); return; }
        var area = page.GetType().GetCustomAttribute<ConsoleAreaAttribute>();
        var http = context.HttpContext;
        var token = http.Request.Cookies[ConsoleCookies.Session];
        var session = await sessions.FindAsync(token, http.RequestAborted);
        if (area is null)
        {
            // Public page (sign-in, not found): knows whether someone is signed in, and with what scopes
            // for the navigation; nothing is refused or ended here.
            page.SignedInAs = session?.Kind;
            if (page is IPublicPageWithNavigation && session is not null)
            {
                if (session.Kind == ConsoleSessionKind.Operator)
                {
                    page.Visitor = HoldsCurrentOperatorToken(session) ? new ConsoleVisitor(ConsoleSessionKind.Operator, null) : null;
                }
                else if (await TryScopesAsync(session.Credential) is { } known && known.AccountId == session.AccountId)
                {
                    page.Visitor = new ConsoleVisitor(ConsoleSessionKind.Vendor, known);
                }
            }
            await next();
            return;
        }
        if (session is null || session.Kind != area.Kind)
        {
            context.Result = SignInRedirect(http, session is null && token is not null ? "expired" : null);
            return;
        }

        if (session.Kind == ConsoleSessionKind.Operator)
        {
            if (!HoldsCurrentOperatorToken(session))
            {
                await EndAsync(http, token);
                context.Result = SignInRedirect(http, "token-changed");
                return;
            }
            page.Visitor = new ConsoleVisitor(ConsoleSessionKind.Operator, null);
            await next();
            return;
        }

        var scope = context.HandlerMethod?.MethodInfo.GetCustomAttribute<ConsoleScopeAttribute>()?.Scope
            ?? page.GetType().GetCustomAttribute<ConsoleScopeAttribute>()?.Scope
            ?? DeveloperScopes.All;
        ApiCaller caller;
        try
        {
            caller = await authenticator.AuthenticateAsync(session.Credential, scope);
        }
        catch (ApiException error) when (error.Error == ApiErrors.InvalidApiKey || error.Message == ApiKeyAuthenticator.SuspendedMessage)
        {
            await EndAsync(http, token);
            context.Result = SignInRedirect(http, error.Error == ApiErrors.InvalidApiKey ? "key" : "suspended");
            return;
        }
        catch (ApiException error)
        {
            // Missing scope or rate limited: the session stays; the page says why instead of its content.
            var scopes = await TryScopesAsync(session.Credential);
            page.Visitor = new ConsoleVisitor(ConsoleSessionKind.Vendor, scopes);
            // The console's start (after sign-in, the brand link of old pages, "/") goes to the first page the key may open.
            if (error.Error == ApiErrors.Forbidden && HttpMethods.IsGet(http.Request.Method) && http.Request.Path == WebConsoleSetup.Root
                && ConsoleNavigation.StartPage(page.Visitor) is var start && start != WebConsoleSetup.Root)
            {
                context.Result = new RedirectResult(start);
                return;
            }
            page.Refusal = ConsoleWording.Sentence(error.Message);
            http.Response.StatusCode = error.Error.Status;
            context.Result = new PageResult { StatusCode = error.Error.Status };
            return;
        }
        if (session.AccountId != caller.AccountId)
        {
            await EndAsync(http, token);
            context.Result = SignInRedirect(http, "key");
            return;
        }
        http.Features.Set(caller);
        page.Visitor = new ConsoleVisitor(ConsoleSessionKind.Vendor, caller);
        await next();
    }

    /// <summary>An operator session holds the operator token as it is now (a changed token ends it), compared in constant time.</summary>
    private bool HoldsCurrentOperatorToken(ConsoleSessionRecord session) =>
        SecretComparer.AreEqual(ConsoleSessionStore.Hash(secrets.OperatorToken), session.Credential);

    // The navigation of a refused page still shows what the key may open.
    private async Task<ApiCaller?> TryScopesAsync(string credential)
    {
        try
        {
            return await authenticator.AuthenticateAsync(credential, requiredScope: null);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    private async Task EndAsync(HttpContext http, string? token)
    {
        await sessions.DeleteAsync(token, http.RequestAborted);
        ConsoleCookies.ClearSession(http.Response);
    }

    private static RedirectResult SignInRedirect(HttpContext http, string? reason)
    {
        string returnUrl = http.Request.Method == HttpMethods.Get ? (http.Request.Path + http.Request.QueryString).ToString() : "/console";
        var query = new Dictionary<string, string?> { ["returnUrl"] = returnUrl };
        if (reason is not null) query["ended"] = reason;
        return new RedirectResult(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/sign-in", query));
    }
}

/// <summary>The console's cookies: the session token only, secure, HttpOnly, SameSite=Strict, host-only.</summary>
public static class ConsoleCookies
{
    /// <summary>Name of the session cookie (<c>__Host-</c>: Secure, path /, no Domain).</summary>
    public const string Session = "__Host-console-session";

    /// <summary>Name of the anti-forgery cookie (path /console; Secure whenever the request is HTTPS).</summary>
    public const string Antiforgery = "console-csrf";

    /// <summary>Sets the session cookie; it dies with the browser session at the latest at the session's end.</summary>
    public static void SetSession(HttpResponse response, string token) =>
        response.Cookies.Append(Session, token, Options(ConsoleSessionStore.Lifetime));

    /// <summary>Removes the session cookie.</summary>
    public static void ClearSession(HttpResponse response) => response.Cookies.Delete(Session, Options(null));

    private static CookieOptions Options(TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
        MaxAge = maxAge,
    };
}
