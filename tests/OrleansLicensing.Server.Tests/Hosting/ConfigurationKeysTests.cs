using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace OrleansLicensing.Server.Hosting;

public sealed partial class ConfigurationKeysTests
{
    private static void EnsureKnown(params (string Key, string? Value)[] values) =>
        ConfigurationKeys.Licensing.EnsureKnown(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build());

    private static string Refused(params (string Key, string? Value)[] values)
    {
        var error = Assert.Throws<LicensingConfigurationException>(() => EnsureKnown(values));
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }

    /// <summary>The misspelling docs/operations.md shows as the example of a refused key.</summary>
    private static readonly string[] MisspeltOnPurpose = ["Licensing:Storage:Provder"];

    [Fact]
    public void Every_Licensing_key_the_documentation_names_is_a_setting()
    {
        var root = RepositoryRoot();
        var pages = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"));
        var documented = pages
            .SelectMany(page => DocumentedKey().Matches(File.ReadAllText(page)).Select(m => (Page: Path.GetFileName(page), Key: m.Value.Replace("__", ":", StringComparison.Ordinal).TrimEnd(':'))))
            .Where(d => d.Key.Contains(':') && !MisspeltOnPurpose.Contains(d.Key))
            .Distinct()
            .ToList();

        Assert.Contains(documented, d => d.Key == "Licensing:Storage:Provider"); // the pages were read
        Assert.Contains(documented, d => d.Key == "Licensing:Metrics:Port");
        Assert.All(documented, d => Assert.True(ConfigurationKeys.Licensing.Problem(d.Key, null) is null,
            $"{d.Page} names {d.Key}: {ConfigurationKeys.Licensing.Problem(d.Key, null)}"));
    }

    [Fact]
    public void Every_documented_setting_is_accepted_with_a_value()
    {
        // One value for each key of docs/developer-api.md §1, protocol.md §1.2 and operations.md, as an operator would set them.
        EnsureKnown(
            ("Licensing:DataDirectory", "./data"), ("Licensing:OperatorToken", "op_0123456789abcdef"), ("Licensing:MasterKey", "AAAA"),
            ("Licensing:Storage:Provider", "Sqlite"), ("Licensing:Storage:GroupCommitWindow", "00:00:00.002"), ("Licensing:Storage:GroupCommitBatch", "64"),
            ("Licensing:Storage:HeartbeatCounterBatch", "64"), ("Licensing:Storage:LastSeenFlushInterval", "00:01:00"), ("Licensing:Storage:StartupWait", "00:01:00"),
            ("Licensing:Api:RateLimits:Burst", "100"), ("Licensing:Api:RateLimits:PerSecond", "50"), ("Licensing:Api:AuthLogRetentionDays", "30"),
            ("Licensing:Webhooks:AllowPrivateTargets", "true"), ("Licensing:Webhooks:CreditsLowThreshold", "10"), ("Licensing:Webhooks:RetryBaseDelay", "00:00:10"),
            ("Licensing:Webhooks:MaxAttempts", "8"), ("Licensing:Webhooks:Timeout", "00:00:10"), ("Licensing:Webhooks:SweepInterval", "00:00:05"),
            ("Licensing:Webhooks:Retention", "30.00:00:00"), ("Licensing:Webhooks:ExpirySweepInterval", "00:00:30"), ("Licensing:Jobs:ExpirySweepInterval", "00:00:30"),
            ("Licensing:Auth:PathPrefix", "/af"), ("Licensing:Auth:DefaultFailureHttpStatus", "semantic"), ("Licensing:Auth:HeartbeatBillingInterval", "10"),
            ("Licensing:Auth:SessionTokenSecrets:0", "a"), ("Licensing:Auth:SessionTokenSecrets:1", "b"), ("Licensing:Auth:TrustedProxies:0", "10.0.0.0/8"),
            ("Licensing:Auth:RateLimits:ValidatePerLicensePerMinute", "5"), ("Licensing:Auth:RateLimits:ValidatePerIpPerMinute", "30"),
            ("Licensing:Auth:RateLimits:HeartbeatPerLicensePerMinute", "6"), ("Licensing:Auth:RateLimits:AppBurst", "200"), ("Licensing:Auth:RateLimits:AppPerSecond", "100"),
            ("Licensing:Metrics:Prometheus", "true"), ("Licensing:Metrics:Port", "9090"), ("Licensing:Metrics:OtlpEndpoint", "http://otel:4317"),
            ("Licensing:Metrics:OtlpProtocol", "grpc"), ("Licensing:Metrics:OtlpInterval", "00:00:15"), ("Licensing:Metrics:GrainCallsSampling", "16"),
            ("Licensing:Dashboard:Enabled", "false"));
    }

    [Fact]
    public void Keys_are_matched_without_regard_to_case_and_an_empty_json_array_is_no_value()
    {
        EnsureKnown(("licensing:storage:PROVIDER", "Sqlite"), ("Licensing:auth:trustedproxies", ""), ("Licensing", null));
    }

    [Theory]
    [InlineData("Licensing:Storage:Provder", "Licensing:Storage:Provder is not a setting of this server; did you mean Licensing:Storage:Provider?")]
    [InlineData("Licensing:Auth:SesionTokenSecrets:0", "Licensing:Auth:SesionTokenSecrets:0 is not a setting of this server; did you mean Licensing:Auth:SessionTokenSecrets:0?")]
    [InlineData("Licensing:Metrics:port", null)]
    [InlineData("Licensing:Metric:Port", "Licensing:Metric:Port is not a setting of this server; did you mean Licensing:Metrics:Port?")]
    [InlineData("Licensing:RateLimits:PerSecond", "Licensing:RateLimits:PerSecond is not a setting of this server; did you mean Licensing:Api:RateLimits:PerSecond?")]
    [InlineData("Licensing:Colour", "Licensing:Colour is not a setting of this server")]
    public void A_key_no_setting_reads_is_refused_naming_it_and_the_nearest_setting(string key, string? expected)
    {
        if (expected is null)
        {
            EnsureKnown((key, "1"));
            return;
        }
        Assert.Equal(expected, Refused((key, "1")));
    }

    [Fact]
    public void The_value_of_a_misspelt_key_is_not_repeated_it_may_be_a_secret()
    {
        Assert.DoesNotContain("s3cret", Refused(("Licensing:OperatorTokn", "s3cret-operator-token")));
    }

    [Fact]
    public void A_list_set_as_one_value_or_with_unnumbered_entries_is_refused()
    {
        Assert.Equal(
            "Licensing:Auth:SessionTokenSecrets is a list: set its entries as Licensing:Auth:SessionTokenSecrets:0, Licensing:Auth:SessionTokenSecrets:1, … (environment: Licensing__Auth__SessionTokenSecrets__0)",
            Refused(("Licensing:Auth:SessionTokenSecrets", "0123456789abcdef0123456789abcdef")));
        Assert.StartsWith("Licensing:Auth:TrustedProxies:first is not a setting: Licensing:Auth:TrustedProxies is a list", Refused(("Licensing:Auth:TrustedProxies:first", "10.0.0.1")));
    }

    [Fact]
    public void A_value_cannot_have_keys_under_it_nor_a_section_a_value()
    {
        Assert.Equal("Licensing:Storage:Provider:Name is not a setting: Licensing:Storage:Provider is a value, not a section", Refused(("Licensing:Storage:Provider:Name", "x")));
        Assert.Equal("Licensing:Auth is a section, not a value: set the keys under it", Refused(("Licensing:Auth", "x")));
    }

    private sealed class Sample
    {
        public Dictionary<string, Inner> Named { get; set; } = [];
        public int[] Numbers { get; set; } = [];
        public List<Inner> Items { get; set; } = [];
        public TimeSpan? Every { get; init; }
        public Uri? Address { get; set; }
    }

    private sealed class Inner
    {
        public int Weight { get; set; }
    }

    [Fact]
    public void The_known_keys_come_from_the_bound_types_lists_are_numbered_and_dictionaries_take_any_key()
    {
        var keys = new ConfigurationKeys("Sample", [typeof(Sample)], ["Sample:Legacy:Interval"]);

        Assert.Null(keys.Problem("Sample:Named:anything:Weight", "1"));
        Assert.Null(keys.Problem("Sample:Numbers:3", "1"));
        Assert.Null(keys.Problem("Sample:Items:0:Weight", "1"));
        Assert.Null(keys.Problem("Sample:Every", "00:00:01"));
        Assert.Null(keys.Problem("Sample:Address", "http://x"));
        Assert.Null(keys.Problem("Sample:Legacy:Interval", "00:00:01"));
        Assert.NotNull(keys.Problem("Sample:Named:anything:Wieght", "1"));
        Assert.NotNull(keys.Problem("Sample:Items:0:Height", "1"));
        Assert.NotNull(keys.Problem("Sample:Numbers:x", "1"));
        Assert.NotNull(keys.Problem("Sample:Legacy:Other", "1"));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bLicensing(?:__|:)[A-Za-z0-9_:]+")]
    private static partial Regex DocumentedKey();
}
