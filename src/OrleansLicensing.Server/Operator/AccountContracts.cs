using OrleansLicensing.Accounts;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Operator;

/// <summary>Body of <c>POST /admin/v1/accounts</c>. Fields are nullable so that validation can name what is missing; <c>email</c> <c>null</c> = none.</summary>
public sealed record CreateAccountRequest(string? Name, [property: AcceptsNull] string? Email, long? Credits);

/// <summary>Body of <c>POST /admin/v1/accounts/{id}/credits</c>.</summary>
public sealed record CreditGrantRequest(long? Amount, string? Reason);

/// <summary>Body of <c>suspend</c> / <c>reactivate</c>; <c>reason</c> <c>null</c> = none.</summary>
public sealed record AccountStatusRequest([property: AcceptsNull] string? Reason);

/// <summary>An account on the wire.</summary>
public sealed record AccountResponse(string AccountId, string Name, string? Email, AccountStatus Status, long Credits, DateTimeOffset CreatedAt, string? StatusReason)
{
    public static AccountResponse From(AccountSnapshot a) => new(a.AccountId, a.Name, a.Email, a.Status, a.Credits, a.CreatedAt, a.StatusReason);
}

/// <summary>The creation response: the account plus its first API key, shown only here.</summary>
public sealed record CreatedAccountResponse(string AccountId, string Name, string? Email, AccountStatus Status, long Credits, DateTimeOffset CreatedAt, string? StatusReason, string ApiKey);

public sealed record AccountListResponse(IReadOnlyList<AccountResponse> Accounts, string? Cursor);

public sealed record CreditGrantResponse(string AccountId, long Credits, string EntryId);
