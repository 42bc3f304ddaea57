namespace OrleansLicensing.Accounts;

/// <summary>
/// The ids of an account's apps, for <c>GET /v1/apps</c> and for account-wide webhook events.
/// Keyed by the account id. An app id is registered before the app is created and removed after
/// it is deleted, so a crash in between leaves an id the readers skip, never an unlisted app.
/// </summary>
public interface IAccountAppsGrain : IGrainWithStringKey
{
    /// <summary>Adds an app id (idempotent).</summary>
    Task Register(string appId);

    /// <summary>Removes an app id (idempotent).</summary>
    Task Unregister(string appId);

    /// <summary>App ids in ordinal order (a stable keyset order), strictly after <paramref name="afterId"/>.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> List(string? afterId, int limit);
}
