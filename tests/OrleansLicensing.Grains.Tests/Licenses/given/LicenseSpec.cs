using OrleansLicensing.Accounts.given;
using OrleansLicensing.Apps;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses.given;

[CollectionDefinition(Name)]
public sealed class LicenseCluster : ICollectionFixture<SqliteGrainCluster>
{
    public const string Name = "license grains on SQLite";
}

/// <summary>Shared arrangement: an account with credits, an app, licenses — all real grains on SQLite.</summary>
public abstract class LicenseSpec(SqliteGrainCluster cluster) : AccountGrainSpec(cluster)
{
    protected IGrainFactory Grains => Cluster.Grains;

    protected async Task<string> NewAccountId(long credits) => (await NewAccount(credits)).Id;

    protected async Task<string> NewApp(string accountId, long? dailyCap = null)
    {
        var appId = Guid.NewGuid().ToString();
        var created = await Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId))
            .Create(new CreateApp(accountId, "Product", SigningScheme.Ed25519, FailureMode.Always200, dailyCap));
        Assert.NotNull(created);
        return appId;
    }

    protected async Task<ILicenseGrain> NewLicense(string appId, string accountId, int slots = 1, bool unlimited = false, DateTimeOffset? expiresAt = null)
    {
        var key = LicenseKey.Generate();
        var grain = License(key);
        var created = await grain.Create(new CreateLicense(appId, accountId, expiresAt, slots, unlimited, null, Variables.None));
        Assert.NotNull(created);
        return grain;
    }

    protected ILicenseGrain License(string key) => Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key));

    protected async Task<long> Balance(string accountId) => (await Account(accountId).Get())!.Credits;

    protected static LicenseValidation ValidateFrom(string appId, string hwid, long? cap = null) => new(appId, hwid, "203.0.113.7", cap);

    protected static LicenseHeartbeat HeartbeatFrom(string appId, string hwid, int every = 10, long? cap = null) => new(appId, hwid, "203.0.113.7", cap, every);
}
