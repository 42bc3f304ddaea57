using OrleansLicensing.Licenses.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses;

/// <summary>Binding and debit commit together even when a silo dies between the two.</summary>
public sealed class SiloFailureTests(FailoverSqliteCluster cluster, ITestOutputHelper output)
    : LicenseSpec(cluster), IClassFixture<FailoverSqliteCluster>
{
    private const long InitialCredits = 100_000;

    [Fact]
    public async Task Killing_a_silo_mid_flight_never_separates_a_binding_from_its_debit()
    {
        // Several accounts and licenses so that some of them live on the silo that dies.
        var accounts = new List<(string Account, ILicenseGrain[] Licenses, int[] Slots)>();
        for (var a = 0; a < 6; a++)
        {
            var account = await NewAccountId(InitialCredits);
            var app = await NewApp(account);
            var licenses = new List<ILicenseGrain>();
            var slots = new List<int>();
            for (var l = 0; l < 4; l++)
            {
                var limited = l % 2 == 0;
                licenses.Add(await NewLicense(app, account, slots: limited ? 3 : 1, unlimited: !limited));
                slots.Add(limited ? 3 : int.MaxValue);
            }
            accounts.Add((account, [.. licenses], [.. slots]));
        }
        var appOf = new Dictionary<ILicenseGrain, string>();
        foreach (var (_, licenses, _) in accounts)
        {
            foreach (var license in licenses) appOf[license] = (await license.Get())!.AppId;
        }

        // Every validate uses a new HWID, so each success is a bind + debit (the intent path).
        var stop = new CancellationTokenSource();
        var counter = 0;
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task DriveAsync(ILicenseGrain license)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var verdict = await license.Validate(ValidateFrom(appOf[license], $"hwid-{Interlocked.Increment(ref counter)}"));
                    outcomes.Add(verdict.Code.ToString());
                    if (verdict.Code == LicenseVerdictCode.HwidMismatch) await Task.Delay(10); // full: keep probing, gently
                }
                catch (Exception error)
                {
                    outcomes.Add("fault:" + error.GetType().Name);
                    await Task.Delay(50);
                }
            }
        }
        var drivers = accounts.SelectMany(a => a.Licenses).Select(l => Task.Run(() => DriveAsync(l))).ToArray();

        // Kill once binds are flowing, then keep the load on until binds flow again after the failover.
        int Bound() => outcomes.Count(o => o == "Ok");
        await Eventually.True(() => Task.FromResult(Bound() >= 100), TimeSpan.FromSeconds(30));
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1], TestContext.Current.CancellationToken);
        var boundAtKill = Bound();
        await Eventually.True(() => Task.FromResult(outcomes.Any(o => o.StartsWith("fault:", StringComparison.Ordinal)) && Bound() >= boundAtKill + 500), TimeSpan.FromSeconds(60),
            () => Task.FromResult($"after the kill: {Bound() - boundAtKill} binds, {outcomes.Count(o => o.StartsWith("fault:", StringComparison.Ordinal))} interrupted calls"));
        stop.Cancel();
        await Task.WhenAll(drivers);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();

        var faults = outcomes.Count(o => o.StartsWith("fault:", StringComparison.Ordinal));
        output.WriteLine($"validates: {outcomes.Count}, ok: {outcomes.Count(o => o == "Ok")}, faults: {faults}");
        Assert.True(faults > 0, "the kill should have interrupted calls in flight");

        foreach (var (account, licenses, slots) in accounts)
        {
            var bound = 0;
            for (var i = 0; i < licenses.Length; i++)
            {
                // A management call first decides any intent the dead silo left behind.
                var snapshot = (await licenses[i].Change(new LicenseChange(LicenseAction.Update)))!;
                Assert.True(snapshot.Hwids.Count <= slots[i], $"{snapshot.Hwids.Count} HWIDs on a {slots[i]}-slot license");
                bound += snapshot.Hwids.Count;
            }
            var balance = await Balance(account);
            Assert.Equal(InitialCredits - balance, bound);
        }
    }
}
