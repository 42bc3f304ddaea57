using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Operator;

namespace OrleansLicensing.Server.WebConsole.Pages.Operator;

/// <summary>The operator's accounts page (<see cref="AccountAdministration"/>): list, search (<see cref="AccountSearch"/>), open by id, create (the first key shown once).</summary>
[ConsoleArea(ConsoleSessionKind.Operator)]
public sealed class AccountsModel(AccountAdministration accounts, AccountSearch search) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Back { get; set; }
    [BindProperty(SupportsGet = true)] public string? Find { get; set; }

    /// <summary>Search text: part of a name or email, or the start of an account id.</summary>
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Credits { get; set; }

    public AccountListResponse? Accounts { get; private set; }

    /// <summary>The account just created, with its first API key (only in this response).</summary>
    public CreatedAccountResponse? Created { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        if (!string.IsNullOrWhiteSpace(Find))
        {
            var found = await accounts.GetAsync(Find.Trim());
            return Redirect($"/console/operator/accounts/{Uri.EscapeDataString(found.AccountId)}");
        }
        await LoadAsync();
        return Page();
    }, LoadAsync);

    public Task<IActionResult> OnPostAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var credits = ConsoleFormat.Integer(Credits, details, "credits: must be an integer >= 0");
        ConsoleFormat.ThrowIfAny(details);
        Created = await accounts.CreateAsync(new CreateAccountRequest(Name, string.IsNullOrWhiteSpace(Email) ? null : Email, credits));
        Name = Email = Credits = null;
        await LoadAsync();
        return Page();
    }, LoadAsync);

    /// <summary>The paging links, keeping the search.</summary>
    public ConsolePager Pager => new("/console/operator", [new("q", Q?.Trim())], Cursor, Back, Accounts?.Cursor);

    /// <summary>How many accounts the search page looked at (only when searching).</summary>
    public int? Scanned { get; private set; }

    private async Task LoadAsync()
    {
        var cursor = string.IsNullOrEmpty(Cursor) ? null : Cursor;
        if (string.IsNullOrWhiteSpace(Q))
        {
            Accounts = await accounts.ListAsync("50", cursor);
            return;
        }
        var found = await search.SearchAsync(Q, "50", cursor);
        Accounts = new AccountListResponse(found.Accounts, found.Cursor);
        Scanned = found.Scanned;
    }
}
