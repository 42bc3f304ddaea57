namespace OrleansLicensing.Server.Developer.Account;

/// <summary>The account as its own API key sees it (<c>GET /v1/account</c>).</summary>
public sealed record DeveloperAccountResponse(string AccountId, string Name, Accounts.AccountStatus Status, long Credits, DateTimeOffset CreatedAt);
