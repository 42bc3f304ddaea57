using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>The ordered set of one account's app ids (an account has tens of apps, not millions).</summary>
public sealed class AccountAppsGrain(
    [PersistentState("account-apps", LicensingStorage.Name)] IPersistentState<AccountAppsState> state)
    : Grain, IAccountAppsGrain
{
    public async Task Register(string appId)
    {
        var index = state.State.AppIds.BinarySearch(appId, StringComparer.Ordinal);
        if (index >= 0) return;
        state.State.AppIds.Insert(~index, appId);
        await state.WriteStateAsync();
    }

    public async Task Unregister(string appId)
    {
        var index = state.State.AppIds.BinarySearch(appId, StringComparer.Ordinal);
        if (index < 0) return;
        state.State.AppIds.RemoveAt(index);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List(string? afterId, int limit)
    {
        var ids = state.State.AppIds;
        var start = 0;
        if (afterId is not null)
        {
            var index = ids.BinarySearch(afterId, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }
        IReadOnlyList<string> page = ids.GetRange(start, Math.Min(Math.Max(limit, 0), ids.Count - start));
        return Task.FromResult(page);
    }
}

/// <summary>Persistent state of <see cref="AccountAppsGrain"/>.</summary>
[GenerateSerializer]
public sealed class AccountAppsState
{
    /// <summary>App ids in ordinal order.</summary>
    [Id(0)] public List<string> AppIds { get; set; } = [];
}
