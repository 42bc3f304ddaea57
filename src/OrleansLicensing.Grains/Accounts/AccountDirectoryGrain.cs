using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>The ordered set of account ids. Operator-scale (accounts are created by hand), so one grain.</summary>
public sealed class AccountDirectoryGrain(
    [PersistentState("account-directory", LicensingStorage.Name)] IPersistentState<AccountDirectoryState> state)
    : Grain, IAccountDirectoryGrain
{
    public async Task Register(string accountId)
    {
        var index = state.State.AccountIds.BinarySearch(accountId, StringComparer.Ordinal);
        if (index >= 0) return;
        state.State.AccountIds.Insert(~index, accountId);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List(string? afterId, int limit)
    {
        var ids = state.State.AccountIds;
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

/// <summary>Persistent state of <see cref="AccountDirectoryGrain"/>.</summary>
[GenerateSerializer]
public sealed class AccountDirectoryState
{
    /// <summary>Account ids in ordinal order (ids sort by creation time).</summary>
    [Id(0)] public List<string> AccountIds { get; set; } = [];
}
