using System.Net.Mail;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Operator;

/// <summary>
/// The operator rules of docs/developer-api.md §3: creating accounts (with their first key), listing them,
/// credit grants and corrections (applied at most once per operation id), suspension. <c>/admin/v1</c>
/// and the operator pages of the web console both call it; failures are <see cref="ApiException"/>s.
/// </summary>
public sealed class AccountAdministration(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Longest account name.</summary>
    public const int MaxNameLength = 200;
    private const int MaxEmailLength = 254;
    /// <summary>Longest reason of a credit change or a status change.</summary>
    public const int MaxReasonLength = 500;
    private const string CursorKind = "acc";

    /// <summary>Creates an account with an all-scopes key; the answer is the only place the key appears.</summary>
    public async Task<CreatedAccountResponse> CreateAsync(CreateAccountRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name)) details.Add("name: required");
        else if (name.Length > MaxNameLength) details.Add($"name: at most {MaxNameLength} characters");
        else if (TextRules.HasControlCharacters(name)) details.Add($"name: {TextRules.ControlCharacters}");
        var email = body.Email?.Trim();
        if (email is not null && (email.Length > MaxEmailLength || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email))
        {
            details.Add("email: not an email address");
        }
        if (body.Credits is < 0) details.Add("credits: must be an integer >= 0");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var now = time.GetUtcNow();
        var accountId = ResourceId.New("acc", now);
        var apiKey = ApiKeys.Generate();
        var keyRecord = new ApiKeyRecord(ResourceId.New("key", now), "default", ApiKeys.Hash(apiKey), ApiKeys.DisplayPrefix(apiKey), ApiKeys.AllScopes, now, null);

        // Directory first: a crash between the two leaves an id the list skips, never an unlisted account.
        await grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Key).Register(accountId);
        var result = await grains.GetGrain<IDeveloperAccountGrain>(accountId)
            .Create(new CreateAccount(name!, email, body.Credits ?? 0, keyRecord));
        var a = result.Account;
        return new CreatedAccountResponse(a.AccountId, a.Name, a.Email, a.Status, a.Credits, a.CreatedAt, a.StatusReason, apiKey);
    }

    /// <summary>A page of accounts in id (creation) order.</summary>
    public async Task<AccountListResponse> ListAsync(string? limit, string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(CursorKind, cursor, id => ResourceId.IsWellFormed(id, "acc"));
        var directory = grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Key);

        var accounts = new List<AccountResponse>(pageSize);
        string? last = after;
        var exhausted = false;
        while (accounts.Count < pageSize && !exhausted)
        {
            var ids = await directory.List(last, pageSize - accounts.Count);
            exhausted = ids.Count < pageSize - accounts.Count;
            var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDeveloperAccountGrain>(id).Get()));
            // An id whose account was never created (a crash during creation) is skipped.
            accounts.AddRange(snapshots.OfType<AccountSnapshot>().Select(AccountResponse.From));
            if (ids.Count > 0) last = ids[^1];
        }
        var next = !exhausted && last is not null ? Pagination.Encode(CursorKind, last) : null;
        return new AccountListResponse(accounts, next);
    }

    /// <summary>One account, or a 404.</summary>
    public async Task<AccountResponse> GetAsync(string accountId) => AccountResponse.From(await Find(accountId));

    /// <summary>
    /// Grants (amount &gt; 0) or corrects (amount &lt; 0) credits. <paramref name="idempotencyKey"/>
    /// becomes the grain's operation id, so a retry with the same key is applied at most once.
    /// </summary>
    public async Task<CreditGrantResponse> ChangeCreditsAsync(string accountId, CreditGrantRequest? body, string? idempotencyKey)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        if (body.Amount is null) details.Add("amount: required");
        else if (body.Amount == 0) details.Add("amount: must not be 0 (negative = correction)");
        var reason = body.Reason?.Trim();
        if (string.IsNullOrEmpty(reason)) details.Add("reason: required");
        else if (reason.Length > MaxReasonLength) details.Add($"reason: at most {MaxReasonLength} characters");
        else if (TextRules.HasControlCharacters(reason)) details.Add($"reason: {TextRules.ControlCharacters}");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        await Find(accountId);
        var amount = body.Amount!.Value;
        // Idempotency (Http/Idempotency.cs, checked by the authorization filter) replays a retry with the same
        // key and body before it gets here. The key also becomes the grain's operation id, so a retry after
        // a 5xx released the key is still applied at most once (the grain remembers operation ids for 24 h).
        var operationId = idempotencyKey is { Length: > 0 } ? $"admin-credits:{idempotencyKey}" : $"admin-credits:{Guid.NewGuid():N}";
        var kind = amount > 0 ? CreditEntryKind.Grant : CreditEntryKind.Correction;
        var result = await grains.GetGrain<IDeveloperAccountGrain>(accountId).ChangeCredits(new CreditChange(operationId, amount, kind, reason));
        return result.Status switch
        {
            CreditChangeStatus.Applied => new CreditGrantResponse(accountId, result.Balance, result.EntryId!),
            CreditChangeStatus.InsufficientCredits => throw ApiException.BadRequest($"amount: the correction would take the balance ({result.Balance}) below 0"),
            CreditChangeStatus.BalanceTooLarge => throw ApiException.BadRequest($"amount: the grant would take the balance ({result.Balance}) above {long.MaxValue}, the largest balance"),
            CreditChangeStatus.AccountNotFound => throw ApiException.NotFound($"Account {accountId} not found"),
            _ => throw ApiException.BadRequest("amount: invalid"),
        };
    }

    /// <summary>Suspends or reactivates an account, with an optional reason.</summary>
    public async Task<AccountResponse> SetStatusAsync(string accountId, AccountStatus status, AccountStatusRequest? body)
    {
        var reason = body?.Reason?.Trim();
        if (reason is { Length: > MaxReasonLength }) throw ApiException.BadRequest($"reason: at most {MaxReasonLength} characters");
        if (reason is not null && TextRules.HasControlCharacters(reason)) throw ApiException.BadRequest($"reason: {TextRules.ControlCharacters}");
        var current = await Find(accountId);
        // Reactivating an active account changes nothing (its status reason stays what it was).
        if (status == AccountStatus.Active && current.Status == AccountStatus.Active) return AccountResponse.From(current);
        var snapshot = await grains.GetGrain<IDeveloperAccountGrain>(accountId).SetStatus(status, string.IsNullOrEmpty(reason) ? null : reason)
            ?? throw ApiException.NotFound($"Account {accountId} not found");
        return AccountResponse.From(snapshot);
    }

    private async Task<AccountSnapshot> Find(string accountId)
    {
        // Malformed ids are simply unknown; this also keeps arbitrary strings from activating grains.
        if (!ResourceId.IsWellFormed(accountId, "acc")) throw ApiException.NotFound($"Account {accountId} not found");
        return await grains.GetGrain<IDeveloperAccountGrain>(accountId).Get()
            ?? throw ApiException.NotFound($"Account {accountId} not found");
    }
}
