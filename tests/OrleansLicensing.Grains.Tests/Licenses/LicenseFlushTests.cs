using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLicensing.Licenses.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Licenses;

/// <summary>A license's lazily stored data (last seen, free heartbeat counts) is written by its own timer, not only when it leaves memory.</summary>
public sealed class LicenseFlushTests(LicenseFlushTests.QuickFlushCluster cluster)
    : LicenseSpec(cluster), IClassFixture<LicenseFlushTests.QuickFlushCluster>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>License grains on SQLite that flush their lazy data every <see cref="Interval"/>.</summary>
    public sealed class QuickFlushCluster : SqliteGrainCluster
    {
        protected override void Configure(InProcessTestClusterBuilder builder) =>
            builder.ConfigureSilo((_, silo) => silo.Services.Configure<LicenseOptions>(o => o.LastSeenFlushInterval = Interval));
    }

    private async Task<long> StoredVersion(ILicenseGrain license) => Convert.ToInt64(await Cluster.ExecuteSqlAsync(
        "SELECT version FROM licensing_grain_state WHERE grain_id_extension_string = @id", ("id", license.GetPrimaryKeyString())));

    [Fact]
    public async Task A_bound_validate_is_stored_by_the_timer_within_two_intervals_and_then_nothing_more_is_written()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 2);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code); // binds: stored at once
        var bound = await StoredVersion(license);

        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code); // bound: last validated, stored lazily
        var validated = (await license.Get())!.LastValidatedAt;
        Assert.Equal(bound, await StoredVersion(license));

        // The first flush comes one to two intervals after the change; the license stays in memory meanwhile.
        var deadline = DateTime.UtcNow + 5 * Interval;
        while (await StoredVersion(license) == bound && DateTime.UtcNow < deadline) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(bound + 1, await StoredVersion(license));

        // The write carried the change: a fresh activation reads it back. Nothing changed since, so
        // the timer's later ticks write nothing.
        await Task.Delay(2 * Interval, TestContext.Current.CancellationToken);
        Assert.Equal(bound + 1, await StoredVersion(license));
        await Cluster.Cluster.DeactivateAsync(license);
        Assert.Equal(validated, (await license.Get())!.LastValidatedAt);
        Assert.Equal(bound + 1, await StoredVersion(license));
    }

    [Fact]
    public async Task A_license_that_only_binds_writes_nothing_later()
    {
        var account = await NewAccountId(credits: 100);
        var app = await NewApp(account);
        var license = await NewLicense(app, account, slots: 2);
        Assert.Equal(LicenseVerdictCode.Ok, (await license.Validate(ValidateFrom(app, "h"))).Code);
        var bound = await StoredVersion(license);

        await Task.Delay(3 * Interval, TestContext.Current.CancellationToken);

        Assert.Equal(bound, await StoredVersion(license));
    }
}
