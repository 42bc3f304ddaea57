using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>The ordered set of one account's app ids (an account has tens of apps, not millions).</summary>
public sealed class AccountAppsGrain(
    [PersistentState("account-apps", LicensingStorage.Name)] IPersistentState<AccountAppsState> state)
    : Grain, IAccountAppsGrain
{
    public async Task Register(string appId)
    {
        if (OrderedIds.Add(state.State.AppIds, appId)) await state.WriteStateAsync();
    }

    public async Task Unregister(string appId)
    {
        if (OrderedIds.Remove(state.State.AppIds, appId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List(string? afterId, int limit) => Task.FromResult(OrderedIds.Page(state.State.AppIds, afterId, limit));
}

/// <summary>Persistent state of <see cref="AccountAppsGrain"/>.</summary>
[GenerateSerializer]
public sealed class AccountAppsState
{
    /// <summary>App ids in ordinal order.</summary>
    [Id(0)] public List<string> AppIds { get; set; } = [];
}
