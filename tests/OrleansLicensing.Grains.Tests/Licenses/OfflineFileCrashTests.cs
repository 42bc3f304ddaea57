using OrleansLicensing.Licenses.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses;

/// <summary>An offline file, its HWID bindings and its debit commit together even when a silo dies between them.</summary>
public sealed class OfflineFileCrashTests(FailoverSqliteCluster cluster, ITestOutputHelper output)
    : LicenseSpec(cluster), IClassFixture<FailoverSqliteCluster>
{
    private const long InitialCredits = 100_000;

    private static OfflineFileIssue Issue(string appId, string licenseKey, int n) => new(
        appId,
        new OfflineFile(Guid.NewGuid().ToString("D"), licenseKey, appId, "0123456789abcdef", OfflineFileMode.Bound,
            [$"{licenseKey}-a-{n}", $"{licenseKey}-b-{n}"], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), $"file {n}", null),
        null,
        new OfflineFileTerms(null, null, [], true));

    [Fact]
    public async Task Killing_a_silo_mid_flight_never_separates_a_file_from_its_bindings_or_its_debit()
    {
        var licenses = new List<(string Account, string App, string Key, ILicenseGrain Grain)>();
        for (var a = 0; a < 6; a++)
        {
            var account = await NewAccountId(InitialCredits);
            var app = await NewApp(account);
            for (var l = 0; l < 3; l++)
            {
                var license = await NewLicense(app, account, unlimited: true);
                licenses.Add((account, app, (await license.Get())!.LicenseKey, license));
            }
        }

        var stop = new CancellationTokenSource();
        var counter = 0;
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task DriveAsync((string Account, string App, string Key, ILicenseGrain Grain) license)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = await license.Grain.IssueOfflineFile(Issue(license.App, license.Key, Interlocked.Increment(ref counter)));
                    outcomes.Add(result.Status.ToString());
                    if (result.Status == OfflineFileIssueStatus.TooManyFiles) return;
                }
                catch (Exception error)
                {
                    outcomes.Add("fault:" + error.GetType().Name);
                    await Task.Delay(50);
                }
            }
        }
        var drivers = licenses.Select(l => Task.Run(() => DriveAsync(l))).ToArray();

        int Issued() => outcomes.Count(o => o == nameof(OfflineFileIssueStatus.Issued));
        await Eventually.True(() => Task.FromResult(Issued() >= 60), TimeSpan.FromSeconds(30));
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1], TestContext.Current.CancellationToken);
        var issuedAtKill = Issued();
        await Eventually.True(() => Task.FromResult(Issued() >= issuedAtKill + 100 || drivers.All(d => d.IsCompleted)), TimeSpan.FromSeconds(60),
            () => Task.FromResult($"after the kill: {Issued() - issuedAtKill} files"));
        stop.Cancel();
        await Task.WhenAll(drivers);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        var faults = outcomes.Count(o => o.StartsWith("fault:", StringComparison.Ordinal));
        output.WriteLine($"issues: {outcomes.Count}, issued: {Issued()}, faults: {faults}");
        Assert.True(faults > 0, "the kill should have interrupted issues in flight");

        foreach (var account in licenses.Select(l => l.Account).Distinct())
        {
            var files = 0;
            foreach (var license in licenses.Where(l => l.Account == account))
            {
                // A management call first decides any intent the dead silo left behind.
                var snapshot = (await license.Grain.Change(new LicenseChange(LicenseAction.Update)))!;
                var issued = (await license.Grain.GetOfflineFiles())!;
                Assert.Equal(issued.Select(f => f.FileId).Distinct().Count(), issued.Count);
                Assert.Equal(
                    issued.SelectMany(f => f.Hwids).Order(StringComparer.Ordinal),
                    snapshot.Hwids.Select(h => h.Hwid).Order(StringComparer.Ordinal));
                files += issued.Count;
            }
            Assert.Equal(InitialCredits - await Balance(account), files);
        }
    }
}
