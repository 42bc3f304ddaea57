using OrleansLicensing.Accounts;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Accounts.given;

[CollectionDefinition(Name)]
public sealed class AccountCluster : ICollectionFixture<SqliteGrainCluster>
{
    public const string Name = "account grains on SQLite";
}

/// <summary>Shared arrangement for account grain tests.</summary>
public abstract class AccountGrainSpec(SqliteGrainCluster cluster)
{
    protected SqliteGrainCluster Cluster { get; } = cluster;

    protected IDeveloperAccountGrain Account(string id) => Cluster.Grains.GetGrain<IDeveloperAccountGrain>(id);

    protected async Task<(string Id, IDeveloperAccountGrain Grain)> NewAccount(long credits = 0)
    {
        var (id, grain, _) = await NewAccountWithKey(credits);
        return (id, grain);
    }

    protected async Task<(string Id, IDeveloperAccountGrain Grain, ApiKeyRecord Key)> NewAccountWithKey(long credits = 0)
    {
        var id = ResourceId.New("acc", DateTimeOffset.UtcNow);
        var grain = Account(id);
        var key = new ApiKeyRecord(ResourceId.New("key", DateTimeOffset.UtcNow), "default", Guid.NewGuid().ToString("N"), "af_live_abcd", ["*"], DateTimeOffset.UtcNow, null);
        var result = await grain.Create(new CreateAccount("Acme", "dev@acme.test", credits, key));
        Assert.Equal(CreateAccountStatus.Created, result.Status);
        return (id, grain, key);
    }

    /// <summary>Every ledger entry, newest first, read page by page as a client would.</summary>
    protected static async Task<List<CreditEntry>> ReadWholeLedger(IDeveloperAccountGrain grain, int pageSize = 100)
    {
        var entries = new List<CreditEntry>();
        long? before = null;
        do
        {
            var page = await grain.GetLedger(before, pageSize);
            entries.AddRange(page.Entries);
            before = page.NextBeforeSequence;
        } while (before is not null);
        return entries;
    }

    /// <summary>How many times the account's row was written: its version column counts writes (insert = 1).</summary>
    protected async Task<long> StorageWritesOf(string accountId) => Convert.ToInt64(await Cluster.ExecuteSqlAsync(
        "SELECT version FROM licensing_grain_state WHERE grain_type_string = 'account' AND grain_id_extension_string = $id",
        ("$id", accountId)));
}
