using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>The vendor's overview: the account, its balance and its apps.</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadAccount)]
public sealed class IndexModel(AppService apps, CreditLedgerService ledger) : ConsolePageModel
{
    public int? AppCount { get; private set; }

    public IReadOnlyList<LedgerEntryResponse> RecentEntries { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        if (Visitor!.Can(DeveloperScopes.ReadApps)) AppCount = (await apps.ListAsync(Caller, "200", null)).Apps.Count;
        RecentEntries = (await ledger.ReadAsync(Caller, "5", null)).Entries;
        return Page();
    });
}
