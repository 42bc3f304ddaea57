using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Base of every console page. <see cref="ConsoleAccessFilter"/> fills <see cref="Visitor"/> before
/// a handler runs; handlers call the application services through <see cref="AttemptAsync"/>, which
/// turns an <see cref="ApiException"/> into <see cref="Failure"/> on the same page, in the console's
/// words (<see cref="ConsoleWording"/>), keeping the posted form values (they are bound properties).
/// </summary>
public abstract class ConsolePageModel : PageModel
{
    /// <summary>Who is signed in (set for guarded pages).</summary>
    public ConsoleVisitor? Visitor { get; set; }

    /// <summary>On public pages: whether a session exists, and whose.</summary>
    public ConsoleSessionKind? SignedInAs { get; set; }

    /// <summary>Why the page's content is not shown (missing scope, rate limited); the layout shows it instead.</summary>
    public string? Refusal { get; set; }

    /// <summary>The failure of the last action, shown above the form.</summary>
    public ConsoleFailure? Failure { get; set; }

    /// <summary>The vendor's API caller for this request.</summary>
    protected ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>
    /// Runs <paramref name="action"/>; on an <see cref="ApiException"/> shows it in the console's words,
    /// reloads what the page shows, and renders the page again. <paramref name="fields"/> names the form's
    /// fields whose id is not the API member they send (<c>url</c> typed into <c>webhookUrl</c>).
    /// </summary>
    protected async Task<IActionResult> AttemptAsync(Func<Task<IActionResult>> action, Func<Task>? reload = null, IReadOnlyDictionary<string, string>? fields = null)
    {
        try
        {
            return await action();
        }
        catch (ApiException error)
        {
            Failure = ConsoleWording.Explain(error, fields);
            if (reload is not null)
            {
                try
                {
                    await reload();
                }
                catch (ApiException)
                {
                    // What the page shows is gone too; the failure above says enough.
                }
            }
            return new PageResult { StatusCode = error.Error.Status };
        }
    }
}
