using OrleansLicensing.Accounts;
using OrleansLicensing.Accounts.given;
using OrleansLicensing.Sessions;
using OrleansLicensing.Testing;

namespace OrleansLicensing;

/// <summary>
/// <see cref="GrainReferences.Reference{TGrain}"/> (src/OrleansLicensing.Abstractions) needs a silo's
/// grain factory, which the contract tests do not start, so it is tested here.
/// </summary>
[Collection(AccountCluster.Name)]
public sealed class GrainReferencesTests(SqliteGrainCluster cluster) : AccountGrainSpec(cluster)
{
    [Fact]
    public async Task The_first_and_every_later_reference_is_the_one_GetGrain_gives_and_reaches_that_grain()
    {
        var (id, _) = await NewAccount(credits: 7);
        var sid = Guid.NewGuid().ToString("N");

        for (var i = 0; i < 3; i++)
        {
            var account = Cluster.Grains.Reference<IDeveloperAccountGrain>(id);
            var session = Cluster.Grains.Reference<ISessionGrain>(ISessionGrain.KeyFor(sid));

            Assert.Equal(Cluster.Grains.GetGrain<IDeveloperAccountGrain>(id), account);
            Assert.Equal(Cluster.Grains.GetGrain<ISessionGrain>(ISessionGrain.KeyFor(sid)), session);
            Assert.Equal(7, (await account.Get())?.Credits);
            Assert.Null(await session.Get());
        }
        // Another key of the same interface is another grain.
        Assert.Null(await Cluster.Grains.Reference<IDeveloperAccountGrain>(ResourceId.New("acc", DateTimeOffset.UtcNow)).Get());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_blank_key_is_refused_as_GetGrain_refuses_it(string key)
    {
        Assert.Throws<ArgumentException>(() => Cluster.Grains.Reference<IDeveloperAccountGrain>(key));
        Assert.ThrowsAny<ArgumentException>(() => Cluster.Grains.GetGrain<IDeveloperAccountGrain>(key));
    }
}
