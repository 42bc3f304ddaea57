using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// Any <c>/console/…</c> path no page answers: a 404 in the console's layout, with the navigation of
/// whoever is signed in (or a way to sign in). Literal routes of the other pages take precedence over
/// this catch-all.
/// </summary>
public sealed class NotFoundModel : ConsolePageModel, IPublicPageWithNavigation
{
    public IActionResult OnGet() => new PageResult { StatusCode = StatusCodes.Status404NotFound };
}
