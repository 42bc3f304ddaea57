using Microsoft.Extensions.Configuration;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Observability;

/// <summary><c>Licensing:Metrics:GrainCallsSampling</c>: its default and the values it refuses.</summary>
public sealed class ObservabilityOptionsTests
{
    private static ObservabilityOptions Load(params (string Key, string Value)[] values) =>
        ObservabilityOptions.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void Grain_calls_are_not_counted_unless_configured()
    {
        Assert.Equal(0, Load().Metrics.GrainCallsSampling);
        Assert.Equal(16, Load(("Licensing:Metrics:GrainCallsSampling", "16")).Metrics.GrainCallsSampling);
        Assert.Equal(1, Load(("Licensing:Metrics:GrainCallsSampling", "1")).Metrics.GrainCallsSampling);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1000001")]
    [InlineData("often")]
    public void A_sampling_that_is_not_an_integer_from_0_to_a_million_is_refused_naming_the_key(string value)
    {
        var error = Assert.Throws<LicensingConfigurationException>(() => Load(("Licensing:Metrics:GrainCallsSampling", value)));

        Assert.Contains("Licensing:Metrics:GrainCallsSampling", error.Message);
    }
}
