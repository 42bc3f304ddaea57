using OrleansLicensing.Accounts;
using OrleansLicensing.Licenses.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses;

/// <summary>
/// What the request path acknowledges is durable when a silo dies without a goodbye: the replay
/// window (docs/protocol.md §6) and the heartbeat counter that decides billing (§13.3, §13.5).
/// </summary>
public sealed class RequestPathCrashTests(FailoverSqliteCluster cluster)
    : LicenseSpec(cluster), IClassFixture<FailoverSqliteCluster>
{
    private const long InitialCredits = 10_000;
    private const int BillingInterval = 10;

    [Fact]
    public async Task Nonces_and_heartbeat_counts_acknowledged_before_a_silo_is_killed_survive_it()
    {
        // Enough accounts and licenses that some live on the silo that dies (each grain is placed at random).
        var licenses = new List<(string Account, string App, ILicenseGrain License, string Hwid, string BindNonce)>();
        for (var a = 0; a < 8; a++)
        {
            var account = await NewAccountId(InitialCredits);
            var app = await NewApp(account);
            for (var l = 0; l < 4; l++)
            {
                var license = await NewLicense(app, account);
                var hwid = $"hw-{a}-{l}";
                var nonce = $"bind-{a}-{l}-nonce";
                Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(Validation(app, account, hwid, nonce))).Code);
                licenses.Add((account, app, license, hwid, nonce));
            }
        }

        // Seven non-billable heartbeats per license: only their durable count makes the 10th billable.
        foreach (var (_, app, license, hwid, _) in licenses)
        {
            for (var h = 0; h < 7; h++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, hwid, BillingInterval))).Code);
        }
        var balances = new Dictionary<string, long>();
        foreach (var account in licenses.Select(l => l.Account).Distinct()) balances[account] = await Balance(account);

        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[1], TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();

        foreach (var (account, app, license, hwid, bindNonce) in licenses)
        {
            // The bind's nonce is refused on whichever silo the account lives now, and costs nothing.
            var replay = await Eventually.Succeeds(() => license.Validate(Validation(app, account, hwid, bindNonce)), TimeSpan.FromSeconds(30));
            Assert.Equal(LicenseVerdictCode.ReplayDetected, replay.Code);
            Assert.False(await Account(account).RecordNonce(app, bindNonce));

            // Heartbeats 8 and 9 are free; the 10th is the billable one.
            for (var h = 8; h <= 10; h++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, hwid, BillingInterval))).Code);
            Assert.Equal(10, (await license.Get())!.HeartbeatCount);
        }
        foreach (var (account, before) in balances)
        {
            var billed = licenses.Count(l => l.Account == account);
            Assert.Equal(before - billed, await Balance(account));
        }
    }

    [Fact]
    public async Task Billed_heartbeats_acknowledged_before_a_silo_is_killed_are_neither_lost_nor_billed_again()
    {
        var licenses = new List<(string Account, string App, ILicenseGrain License, string Hwid)>();
        for (var a = 0; a < 8; a++)
        {
            var account = await NewAccountId(InitialCredits);
            var app = await NewApp(account);
            for (var l = 0; l < 4; l++)
            {
                var license = await NewLicense(app, account);
                var hwid = $"hb-{a}-{l}";
                Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, hwid) with { AccountId = account })).Code);
                licenses.Add((account, app, license, hwid));
            }
        }
        var start = new Dictionary<string, long>();
        foreach (var account in licenses.Select(l => l.Account).Distinct()) start[account] = await Balance(account);

        // Thirteen heartbeats each (the 10th billed), then the silo dies, then thirteen more (the 20th billed).
        foreach (var (_, app, license, hwid) in licenses)
        {
            for (var h = 1; h <= 13; h++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, hwid, BillingInterval))).Code);
        }
        await cluster.Cluster.KillSiloAsync(cluster.Cluster.Silos[^1], TestContext.Current.CancellationToken);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        foreach (var (_, app, license, hwid) in licenses)
        {
            var first = await Eventually.Succeeds(() => license.Heartbeat(HeartbeatFrom(app, hwid, BillingInterval)), TimeSpan.FromSeconds(30));
            Assert.Equal(LicenseVerdictCode.Ok, first.Code);
            for (var h = 15; h <= 26; h++) Assert.Equal(LicenseVerdictCode.Ok, (await license.Heartbeat(HeartbeatFrom(app, hwid, BillingInterval))).Code);
            Assert.Equal(26, (await license.Get())!.HeartbeatCount);
        }
        foreach (var (account, before) in start)
        {
            var licensesOfAccount = licenses.Count(l => l.Account == account);
            Assert.Equal(before - 2 * licensesOfAccount, await Balance(account));
        }
    }

    private static LicenseValidation Validation(string app, string account, string hwid, string nonce) =>
        ValidateFrom(app, hwid) with { AccountId = account, Nonce = nonce };
}
