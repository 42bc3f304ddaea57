using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

public sealed class ConfigurationTests
{
    private static LicensingSettings Load(params (string Key, string Value)[] values) =>
        LicensingSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = Load();

        Assert.Equal(StorageProvider.Sqlite, settings.Provider);
        Assert.Equal(Path.GetFullPath("./data"), settings.DataDirectory);
        Assert.Equal((11111, 30000), (settings.Orleans.SiloPort, settings.Orleans.GatewayPort));
        Assert.Equal((100, 50), (settings.Licensing.Api.RateLimits.Burst, settings.Licensing.Api.RateLimits.PerSecond));
        Assert.Equal(("always200", 10), (settings.Licensing.Auth.DefaultFailureHttpStatus, settings.Licensing.Auth.HeartbeatBillingInterval));
        Assert.False(settings.Licensing.Webhooks.AllowPrivateTargets);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Licensing.Storage.LastSeenFlushInterval);
    }

    [Theory]
    [InlineData("Orleans:SiloPort", "abc", "Orleans:SiloPort")]
    [InlineData("Orleans:SiloPort", "70000", "Orleans:SiloPort")]
    [InlineData("Orleans:GatewayPort", "11111", "must differ")]
    [InlineData("Orleans:ClusterId", "has space", "Orleans:ClusterId")]
    [InlineData("Orleans:AdvertisedIPAddress", "not-an-ip", "Orleans:AdvertisedIPAddress")]
    [InlineData("Orleans:CollectionAge", "00:00:30", "Orleans:CollectionAge")]
    [InlineData("Orleans:CollectionAge", "soon", "Orleans:CollectionAge")]
    [InlineData("Licensing:Storage:GroupCommitWindow", "00:00:05", "Licensing:Storage:GroupCommitWindow")]
    [InlineData("Licensing:Storage:GroupCommitWindow", "-00:00:01", "Licensing:Storage:GroupCommitWindow")]
    [InlineData("Licensing:Storage:GroupCommitBatch", "-1", "Licensing:Storage:GroupCommitBatch")]
    [InlineData("Licensing:Storage:GroupCommitBatch", "many", "Licensing:Storage:GroupCommitBatch")]
    [InlineData("Licensing:Storage:HeartbeatCounterBatch", "10001", "Licensing:Storage:HeartbeatCounterBatch")]
    [InlineData("Licensing:Storage:HeartbeatCounterBatch", "-1", "Licensing:Storage:HeartbeatCounterBatch")]
    [InlineData("Licensing:Storage:LastSeenFlushInterval", "00:00:00.500", "Licensing:Storage:LastSeenFlushInterval")]
    [InlineData("Licensing:Storage:LastSeenFlushInterval", "02:00:00", "Licensing:Storage:LastSeenFlushInterval")]
    [InlineData("Licensing:Storage:Provider", "Oracle", "Licensing:Storage:Provider")]
    [InlineData("Licensing:Storage:Provider", "PostgreSql", "ConnectionStrings:Licensing")]
    [InlineData("Licensing:MasterKey", "c2hvcnQ=", "Licensing:MasterKey")]
    [InlineData("Licensing:OperatorToken", "short", "Licensing:OperatorToken")]
    [InlineData("Licensing:Api:RateLimits:Burst", "-1", "Licensing:Api:RateLimits:Burst")]
    [InlineData("Licensing:Webhooks:AllowPrivateTargets", "maybe", "Licensing:Webhooks:AllowPrivateTargets")]
    [InlineData("Licensing:Auth:PathPrefix", "af/", "Licensing:Auth:PathPrefix")]
    [InlineData("Licensing:Auth:DefaultFailureHttpStatus", "always500", "Licensing:Auth:DefaultFailureHttpStatus")]
    [InlineData("Licensing:Auth:HeartbeatBillingInterval", "0", "Licensing:Auth:HeartbeatBillingInterval")]
    [InlineData("Licensing:Auth:TrustedProxies:0", "10.0.0.0/33", "Licensing:Auth:TrustedProxies:0")]
    [InlineData("Licensing:Auth:TrustedProxies:0", "010.0.0.1", "Licensing:Auth:TrustedProxies:0")]
    [InlineData("Licensing:Auth:SessionTokenSecrets:0", "too-short", "Licensing:Auth:SessionTokenSecrets:0")]
    [InlineData("Licensing:Auth:RateLimits:AppPerSecond", "-5", "Licensing:Auth:RateLimits:AppPerSecond")]
    public void An_invalid_value_is_refused_with_a_message_naming_the_key(string key, string value, string expected)
    {
        var error = Assert.Throws<LicensingConfigurationException>(() => Load((key, value)));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_expiry_sweep_interval_is_read_from_the_jobs_section_and_still_from_its_old_webhooks_key()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Load().Licensing.Jobs.ExpirySweepInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), Load(("Licensing:Jobs:ExpirySweepInterval", "00:02:00")).Licensing.Jobs.ExpirySweepInterval);
        Assert.Equal(TimeSpan.FromMinutes(3), Load(("Licensing:Webhooks:ExpirySweepInterval", "00:03:00")).Licensing.Jobs.ExpirySweepInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), Load(
            ("Licensing:Jobs:ExpirySweepInterval", "00:02:00"), ("Licensing:Webhooks:ExpirySweepInterval", "00:03:00")).Licensing.Jobs.ExpirySweepInterval);
    }

    [Theory]
    [InlineData("Licensing:Jobs:ExpirySweepInterval", "00:00:00")]
    [InlineData("Licensing:Jobs:ExpirySweepInterval", "2.00:00:00")]
    [InlineData("Licensing:Jobs:ExpirySweepInterval", "often")]
    [InlineData("Licensing:Webhooks:ExpirySweepInterval", "00:00:00")]
    [InlineData("Licensing:Webhooks:ExpirySweepInterval", "often")]
    public void An_invalid_expiry_sweep_interval_is_refused_naming_the_key_it_was_given_under(string key, string value)
    {
        var error = Assert.Throws<LicensingConfigurationException>(() => Load((key, value)));

        Assert.Contains(key, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_cluster_needs_a_shared_master_key_operator_token_and_session_token_secret()
    {
        var noKey = Assert.Throws<LicensingConfigurationException>(() => Load(
            ("Licensing:Storage:Provider", "PostgreSql"), ("ConnectionStrings:Licensing", "Host=127.0.0.1;Username=x")));
        var noToken = Assert.Throws<LicensingConfigurationException>(() => Load(
            ("Licensing:Storage:Provider", "PostgreSql"), ("ConnectionStrings:Licensing", "Host=127.0.0.1;Username=x"), ("Licensing:MasterKey", LicensingTestHost.MasterKey)));

        var noSessionSecret = Assert.Throws<LicensingConfigurationException>(() => Load(
            ("Licensing:Storage:Provider", "PostgreSql"), ("ConnectionStrings:Licensing", "Host=127.0.0.1;Username=x"),
            ("Licensing:MasterKey", LicensingTestHost.MasterKey), ("Licensing:OperatorToken", LicensingTestHost.OperatorToken)));

        Assert.Contains("Licensing:MasterKey", noKey.Message);
        Assert.Contains("Licensing:OperatorToken", noToken.Message);
        Assert.Contains("Licensing:Auth:SessionTokenSecrets", noSessionSecret.Message);
    }

    [Fact]
    public async Task The_server_process_stops_with_one_readable_line_and_no_stack_trace()
    {
        using var data = new TempDirectory("config");
        var serverDll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "--Orleans:SiloPort=abc", $"--Licensing:DataDirectory={data.Path}" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, process.ExitCode);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains("Orleans:SiloPort", line);
        var output = await stdout + await stderr;
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output); // no stack frame
        Assert.DoesNotContain("Exception", output);
    }
}
