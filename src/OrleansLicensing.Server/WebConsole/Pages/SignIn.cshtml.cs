using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// Sign-in with an API key (vendor) or the operator token. The key or token is checked by the same
/// rules as the APIs, then forgotten: the session stores its hash and the browser gets a random
/// session token. Secrets are never written back into the form.
/// </summary>
public sealed class SignInModel(ConsoleSessionStore sessions, ApiKeyAuthenticator authenticator, GeneratedSecrets secrets) : ConsolePageModel
{
    /// <summary>Where to go after signing in (only console paths are followed).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last session ended, when the browser was sent here for it.</summary>
    public string? EndedMessage { get; private set; }

    public IActionResult OnGet(string? ended)
    {
        if (SignedInAs is { } kind && ended is null) return Redirect(kind == ConsoleSessionKind.Operator ? "/console/operator" : "/console");
        EndedMessage = ended switch
        {
            "signed-out" => "You are signed out.",
            "expired" => "Your session has ended. Sign in again.",
            "key" => "The API key of your session was revoked or has expired. Sign in with another key.",
            "suspended" => "The account is suspended.",
            "token-changed" => "The operator token has changed. Sign in with the new one.",
            _ => null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostVendorAsync(string? apiKey)
    {
        var key = apiKey?.Trim();
        if (string.IsNullOrEmpty(key)) return Refuse("Enter your API key.");
        if (!ApiKeys.IsWellFormed(key)) return Refuse("Malformed API key");
        var hash = ApiKeys.Hash(key);
        ApiCaller caller;
        try
        {
            caller = await authenticator.AuthenticateAsync(hash, requiredScope: null);
        }
        catch (ApiException error)
        {
            return Refuse(error.Message);
        }
        var token = await sessions.CreateAsync(ConsoleSessionKind.Vendor, caller.AccountId, hash, HttpContext.RequestAborted);
        ConsoleCookies.SetSession(Response, token);
        return Redirect(SafeReturnUrl("/console", operatorArea: false));
    }

    public async Task<IActionResult> OnPostOperatorAsync(string? operatorToken)
    {
        var token = operatorToken?.Trim();
        if (string.IsNullOrEmpty(token)) return Refuse("Enter the operator token.");
        if (!SecretComparer.AreEqual(token, secrets.OperatorToken)) return Refuse("This is not the operator token.");
        var session = await sessions.CreateAsync(ConsoleSessionKind.Operator, null, ConsoleSessionStore.Hash(secrets.OperatorToken), HttpContext.RequestAborted);
        ConsoleCookies.SetSession(Response, session);
        return Redirect(SafeReturnUrl("/console/operator", operatorArea: true));
    }

    private PageResult Refuse(string message)
    {
        Failure = new ConsoleFailure(ConsoleWording.Sentence(message));
        return new PageResult { StatusCode = StatusCodes.Status401Unauthorized };
    }

    // Only a path inside the console of the same area, never another host ("//evil", "/\evil").
    private string SafeReturnUrl(string fallback, bool operatorArea)
    {
        var url = ReturnUrl;
        if (url is null || !url.StartsWith("/console", StringComparison.Ordinal) || url.Contains('\\') || url.StartsWith("//", StringComparison.Ordinal)) return fallback;
        if (url.StartsWith("/console/sign-in", StringComparison.Ordinal)) return fallback;
        return url.StartsWith("/console/operator", StringComparison.Ordinal) == operatorArea ? url : fallback;
    }
}
