using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Operator;

namespace OrleansLicensing.Server.WebConsole.Pages.Operator;

/// <summary>
/// One account for the operator: grant or correct credits, suspend, reactivate (<see cref="AccountAdministration"/>).
/// The credit form carries a random operation id, used like an <c>Idempotency-Key</c>: a form sent
/// twice (double click, reload) changes the balance once.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Operator)]
public sealed class AccountModel(AccountAdministration accounts) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string AccountId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }
    [BindProperty] public string? Amount { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? OperationId { get; set; }
    [BindProperty] public string? StatusReason { get; set; }

    public AccountResponse? Account { get; private set; }

    public string? DoneMessage => Done switch
    {
        "credits" => "Credits changed.",
        "suspended" => "Account suspended: its API keys and licenses stop working.",
        "reactivated" => "Account reactivated.",
        _ => null,
    };

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        return Page();
    });

    public Task<IActionResult> OnPostCreditsAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var amount = ConsoleFormat.Integer(Amount, details, "amount: must be an integer");
        ConsoleFormat.ThrowIfAny(details);
        var operation = OperationId is { Length: > 0 and <= 64 } ? $"console:{OperationId}" : null;
        await accounts.ChangeCreditsAsync(AccountId, new CreditGrantRequest(amount, Reason), operation);
        return Redirect(Self("credits"));
    }, LoadAsync);

    public Task<IActionResult> OnPostSuspendAsync() => AttemptAsync(async () =>
    {
        await accounts.SetStatusAsync(AccountId, AccountStatus.Suspended, new AccountStatusRequest(StatusReason));
        return Redirect(Self("suspended"));
    }, LoadAsync, StatusFields);

    public Task<IActionResult> OnPostReactivateAsync() => AttemptAsync(async () =>
    {
        await accounts.SetStatusAsync(AccountId, AccountStatus.Active, new AccountStatusRequest(StatusReason));
        return Redirect(Self("reactivated"));
    }, LoadAsync, StatusFields);

    // The status form's reason field is statusReason (the credit form's is reason).
    private static readonly Dictionary<string, string> StatusFields = new() { ["reason"] = "statusReason" };

    private async Task LoadAsync()
    {
        Account = await accounts.GetAsync(AccountId);
        // A new operation id for every rendering of the form; a failed attempt keeps the one sent.
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
    }

    private string Self(string done) => $"/console/operator/accounts/{Uri.EscapeDataString(AccountId)}?done={done}";
}
