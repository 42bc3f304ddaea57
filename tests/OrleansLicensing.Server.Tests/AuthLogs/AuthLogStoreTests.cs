using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.Server.AuthLogs;

/// <summary>The auth log table on the embedded server's SQLite file: retention and keyset reads.</summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class AuthLogStoreTests(DeveloperRoutesServer server)
{
    private AuthLogStore Store => server.Host.Services.GetRequiredService<AuthLogStore>();

    private static AuthLogEntry Entry(string appId, DateTimeOffset at, string hwid) =>
        new(appId, at, "validate", "success", "ABCD-EFGH-JKLM-NPQR", hwid, "192.0.2.1");

    [Fact]
    public async Task Retention_deletes_entries_older_than_the_cutoff_in_chunks_and_keeps_the_rest()
    {
        var appId = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        var old = Enumerable.Range(0, 12).Select(i => Entry(appId, now.AddDays(-40).AddMinutes(i), $"old-{i}"));
        var recent = Enumerable.Range(0, 3).Select(i => Entry(appId, now.AddDays(-1).AddMinutes(i), $"new-{i}"));
        await Store.InsertAsync([.. old, .. recent], TestContext.Current.CancellationToken);

        var deleted = await Store.DeleteOlderThanAsync(now.AddDays(-30), chunk: 5, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(deleted >= 12, $"deleted {deleted}");
        var left = await Store.PageAsync(appId, null, 100, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["new-2", "new-1", "new-0"], left.Select(e => e.Entry.Hwid).ToArray());
    }

    [Fact]
    public async Task Pages_are_keyset_reads_newest_first_per_app()
    {
        var appId = Guid.NewGuid().ToString();
        var otherApp = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        await Store.InsertAsync([.. Enumerable.Range(0, 5).Select(i => Entry(appId, now, $"h{i}")), Entry(otherApp, now, "other")], TestContext.Current.CancellationToken);

        var first = await Store.PageAsync(appId, null, 2, cancellationToken: TestContext.Current.CancellationToken);
        var second = await Store.PageAsync(appId, first[^1].Id, 2, cancellationToken: TestContext.Current.CancellationToken);
        var third = await Store.PageAsync(appId, second[^1].Id, 2, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["h4", "h3", "h2", "h1", "h0"], first.Concat(second).Concat(third).Select(e => e.Entry.Hwid).ToArray());
        Assert.Equal(now.ToUnixTimeMilliseconds(), first[0].Entry.At.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Every_field_is_stored_as_given_across_slices_nulls_and_multi_byte_text_included()
    {
        var appId = Guid.NewGuid().ToString();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_796_000_000_123);
        var longHwid = string.Concat(Enumerable.Repeat("hwid-é€😀-", 300)); // more than the first kilobyte of the bind buffer
        var entries = Enumerable.Range(0, AuthLogStore.SqliteSlice + 6)
            .Select(i => new AuthLogEntry(appId, at.AddMilliseconds(i), i % 2 == 0 ? "validate" : "heartbeat", i == 3 ? "replay_detected" : "success",
                i == 5 ? null : $"KEY-{i:D4}", i switch { 7 => null, 8 => "", 9 => longHwid, _ => $"hw-ü-{i}" }, i == 10 ? "2001:db8::1" : "192.0.2.1"))
            .ToArray();

        await Store.InsertAsync(entries, TestContext.Current.CancellationToken);

        var stored = await Store.PageAsync(appId, null, 500, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(entries.Reverse(), stored.Select(e => e.Entry));
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Id > p.Second.Id), "ids grow in insertion order");
    }

    [Fact]
    public async Task A_slice_with_a_row_the_table_refuses_stores_none_of_its_rows()
    {
        var appId = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        var entries = new[] { Entry(appId, now, "a"), Entry(appId, now, "b") with { Ip = null! }, Entry(appId, now, "c") };

        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => Store.InsertAsync(entries, TestContext.Current.CancellationToken));

        Assert.Empty(await Store.PageAsync(appId, null, 10, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3651")]
    [InlineData("-1")]
    public void Retention_days_outside_1_to_3650_are_a_configuration_error(string days)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Licensing:Api:AuthLogRetentionDays", (string?)days)]).Build();

        var error = Assert.Throws<LicensingConfigurationException>(() => LicensingSettings.Load(configuration));

        Assert.Contains("Licensing:Api:AuthLogRetentionDays", error.Message);
    }

    [Fact]
    public void Retention_defaults_to_30_days()
    {
        Assert.Equal(30, LicensingSettings.Load(new ConfigurationBuilder().Build()).Licensing.Api.AuthLogRetentionDays);
    }
}
