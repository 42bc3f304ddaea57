using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>The ordered set of account ids. Operator-scale (accounts are created by hand), so one grain.</summary>
public sealed class AccountDirectoryGrain(
    [PersistentState("account-directory", LicensingStorage.Name)] IPersistentState<AccountDirectoryState> state)
    : Grain, IAccountDirectoryGrain
{
    public async Task Register(string accountId)
    {
        if (OrderedIds.Add(state.State.AccountIds, accountId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> List(string? afterId, int limit) => Task.FromResult(OrderedIds.Page(state.State.AccountIds, afterId, limit));
}

/// <summary>Persistent state of <see cref="AccountDirectoryGrain"/>.</summary>
[GenerateSerializer]
public sealed class AccountDirectoryState
{
    /// <summary>Account ids in ordinal order (ids sort by creation time).</summary>
    [Id(0)] public List<string> AccountIds { get; set; } = [];
}
