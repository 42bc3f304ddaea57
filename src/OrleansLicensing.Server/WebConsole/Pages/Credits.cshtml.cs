using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Account;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>The credit ledger, newest first, in keyset pages (<see cref="CreditLedgerService"/>).</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadAccount)]
public sealed class CreditsModel(CreditLedgerService ledger) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Back { get; set; }

    public LedgerResponse? Ledger { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        Ledger = await ledger.ReadAsync(Caller, "50", string.IsNullOrEmpty(Cursor) ? null : Cursor);
        return Page();
    });

    /// <summary>The paging links.</summary>
    public ConsolePager Pager => new("/console/credits", [], Cursor, Back, Ledger?.Cursor);
}
