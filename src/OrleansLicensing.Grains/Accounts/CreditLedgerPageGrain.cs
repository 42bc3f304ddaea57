using OrleansLicensing.Storage;

namespace OrleansLicensing.Accounts;

/// <summary>One sealed page of an account's ledger.</summary>
public sealed class CreditLedgerPageGrain(
    [PersistentState("ledger-page", LicensingStorage.Name)] IPersistentState<CreditLedgerPageState> state)
    : Grain, ICreditLedgerPageGrain
{
    public async Task Store(IReadOnlyList<CreditEntry> entries)
    {
        state.State.Entries = [.. entries];
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<CreditEntry>> Read() => Task.FromResult<IReadOnlyList<CreditEntry>>(state.State.Entries);
}

/// <summary>Persistent state of <see cref="CreditLedgerPageGrain"/>.</summary>
[GenerateSerializer]
public sealed class CreditLedgerPageState
{
    [Id(0)] public List<CreditEntry> Entries { get; set; } = [];
}
