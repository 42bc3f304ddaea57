using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>The vendor's overview: balance, credits used per day, outcomes per day, failures by code, active licenses, the last failures.</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadAccount)]
public sealed class IndexModel(AccountOverview overview) : ConsolePageModel
{
    public OverviewFigures? Figures { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        Figures = await overview.GatherAsync(Visitor!, HttpContext.RequestAborted);
        return Page();
    });
}
