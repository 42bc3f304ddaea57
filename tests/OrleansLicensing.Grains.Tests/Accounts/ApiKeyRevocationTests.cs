using OrleansLicensing.Accounts.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Accounts;

/// <summary>The ordering that keeps "keys that work" a subset of "keys that are listed".</summary>
[Collection(AccountCluster.Name)]
public sealed class ApiKeyRevocationTests(SqliteGrainCluster cluster) : AccountGrainSpec(cluster)
{
    private static ApiKeyRecord NewKey(string name = "extra") =>
        new(ResourceId.New("key", DateTimeOffset.UtcNow), name, Guid.NewGuid().ToString("N"), "af_live_wxyz", ["read:account"], DateTimeOffset.UtcNow, null);

    private IApiKeyGrain Lookup(ApiKeyRecord key) => Cluster.Grains.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(key.KeyHash));

    [Fact]
    public async Task An_added_key_is_listed_and_registered_and_a_revoked_one_is_refused_and_unlisted()
    {
        var (id, account) = await NewAccount();
        var key = NewKey();

        Assert.Equal(ApiKeyAddStatus.Added, (await account.AddApiKey(key)).Status);
        Assert.Contains(key.ApiKeyId, (await account.ListApiKeys(null, 100)).Select(k => k.ApiKeyId));
        Assert.Equal((id, (DateTimeOffset?)null), ((await Lookup(key).Get())!.AccountId, (await Lookup(key).Get())!.RevokedAt));

        Assert.NotNull(await account.RevokeApiKey(key.ApiKeyId));

        Assert.NotNull((await Lookup(key).Get())!.RevokedAt);
        Assert.DoesNotContain(key.ApiKeyId, (await account.ListApiKeys(null, 100)).Select(k => k.ApiKeyId));
        Assert.Null(await account.RevokeApiKey(key.ApiKeyId));
    }

    [Fact]
    public async Task A_revoke_interrupted_after_the_lookup_leaves_a_listed_key_that_no_longer_works_and_revoking_again_completes_it()
    {
        var (_, account) = await NewAccount();
        var key = NewKey();
        await account.AddApiKey(key);

        await Lookup(key).Revoke(DateTimeOffset.UtcNow); // the first step only, as if the silo died before the second

        Assert.NotNull((await Lookup(key).Get())!.RevokedAt);
        Assert.Contains(key.ApiKeyId, (await account.ListApiKeys(null, 100)).Select(k => k.ApiKeyId));
        Assert.NotNull(await account.RevokeApiKey(key.ApiKeyId));
        Assert.DoesNotContain(key.ApiKeyId, (await account.ListApiKeys(null, 100)).Select(k => k.ApiKeyId));
    }

    [Fact]
    public async Task A_revocation_that_reaches_the_lookup_before_the_registration_stands()
    {
        var key = NewKey();
        await Lookup(key).Revoke(DateTimeOffset.UtcNow);

        await Lookup(key).Register(new ApiKeyBinding(ResourceId.New("acc", DateTimeOffset.UtcNow), key.ApiKeyId, key.Scopes, null));

        Assert.NotNull((await Lookup(key).Get())!.RevokedAt);
    }

    [Fact]
    public async Task Adding_to_an_unknown_account_registers_nothing()
    {
        var key = NewKey();

        var result = await Account(ResourceId.New("acc", DateTimeOffset.UtcNow)).AddApiKey(key);

        Assert.Equal(ApiKeyAddStatus.AccountNotFound, result.Status);
        Assert.Null(await Lookup(key).Get());
    }
}
