using OrleansLicensing.Accounts.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Accounts;

[Collection(AccountCluster.Name)]
public sealed class AccountDirectoryGrainTests(SqliteGrainCluster cluster) : AccountGrainSpec(cluster)
{
    [Fact]
    public async Task Lists_ids_in_order_strictly_after_the_cursor_without_duplicates()
    {
        var directory = Cluster.Grains.GetGrain<IAccountDirectoryGrain>($"test-directory-{Guid.NewGuid():N}");
        var ids = Enumerable.Range(0, 25).Select(_ => ResourceId.New("acc", DateTimeOffset.UtcNow)).ToList();
        foreach (var id in ids.OrderBy(_ => Guid.NewGuid())) await directory.Register(id);
        await directory.Register(ids[3]); // again: idempotent

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await directory.List(after, 10);
            seen.AddRange(page);
            if (page.Count < 10) break;
            after = page[^1];
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Creating_an_account_registers_its_key_hash_to_the_account()
    {
        var (id, _, key) = await NewAccountWithKey();

        var binding = await Cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash)).Get();
        var unknown = await Cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor("0000")).Get();

        Assert.NotNull(binding);
        Assert.Equal((id, key.ApiKeyId), (binding.AccountId, binding.ApiKeyId));
        Assert.Equal(key.Scopes, binding.Scopes);
        Assert.Null(unknown);
    }
}
