using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Per-minute request counts of one silo, written to the real database, with time shifted.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class ClusterTrafficTests(SqliteServer server)
{
    [Fact]
    public async Task A_minute_counted_after_its_last_flush_is_written_in_full_when_the_next_flush_comes_late()
    {
        var clock = new ShiftableClock();
        clock.ShiftToStartOfNextMinute();
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new LicensingMetrics(meters.GetRequiredService<IMeterFactory>());
        var silo = new OtherSilo();
        using var traffic = new ClusterTraffic(metrics, Database, new ServiceCollection().AddSingleton<ILocalSiloDetails>(silo).BuildServiceProvider(),
            clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ClusterTraffic>.Instance);
        var minute = clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;

        for (var i = 0; i < 3; i++) metrics.AuthRequest("validate", "success", TimeSpan.FromMilliseconds(1));
        await traffic.FlushAsync(TestContext.Current.CancellationToken);
        metrics.AuthRequest("validate", "success", TimeSpan.FromMilliseconds(1));
        metrics.AuthRequest("heartbeat", "session_expired", TimeSpan.FromMilliseconds(1));

        // No flush for two minutes (the process stalled, or its writes failed).
        clock.Advance(TimeSpan.FromMinutes(2));
        metrics.AuthRequest("validate", "success", TimeSpan.FromMilliseconds(1));
        await traffic.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal((5, 1), await Row(silo.SiloAddress.ToParsableString(), minute));
        Assert.Equal((1, 0), await Row(silo.SiloAddress.ToParsableString(), minute + 2));
    }

    private LicensingDatabase Database => server.Host.Services.GetRequiredService<LicensingDatabase>();

    private async Task<(long Requests, long Failures)> Row(string silo, long minute)
    {
        await using var connection = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT requests, failures FROM licensing_cluster_traffic WHERE silo = @silo AND minute = @minute";
        command.AddParameter("silo", silo);
        command.AddParameter("minute", minute);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken), $"no row for minute {minute}");
        return (Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)));
    }

    /// <summary>A silo address of its own, so the host's own traffic writer never writes these rows.</summary>
    private sealed class OtherSilo : ILocalSiloDetails
    {
        public string Name => "traffic-test";
        public string ClusterId => "traffic-test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), Random.Shared.Next(1, int.MaxValue));
        public SiloAddress GatewayAddress => SiloAddress;
    }
}
