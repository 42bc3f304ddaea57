using Microsoft.AspNetCore.Mvc;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>Ends the session on the server and removes the cookie (POST only, with the anti-forgery token).</summary>
public sealed class SignOutModel(ConsoleSessionStore sessions) : ConsolePageModel
{
    public IActionResult OnGet() => Redirect("/console");

    public async Task<IActionResult> OnPostAsync()
    {
        await sessions.DeleteAsync(Request.Cookies[ConsoleCookies.Session], HttpContext.RequestAborted);
        ConsoleCookies.ClearSession(Response);
        return Redirect("/console/sign-in?ended=signed-out");
    }
}
