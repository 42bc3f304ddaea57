using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>The integer rule of docs/protocol.md §2.2 as the SDK reads it (R10 expiries, counts, the offline file's <c>v</c>).</summary>
public sealed class JsonTextTests
{
    private static bool TryInteger(string json, out long value)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetInteger(out value);
    }

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("3600.0", 3600)]
    [InlineData("36e2", 3600)]
    [InlineData("3.6E+3", 3600)]
    [InlineData("360000e-2", 3600)]
    [InlineData("-42.000", -42)]
    [InlineData("-0.0", 0)]
    [InlineData("0e999999999999999999999", 0)]
    [InlineData("9223372036854775807.0", long.MaxValue)]
    [InlineData("-9223372036854775808.0", long.MinValue)]
    [InlineData("1893542400.000", 1893542400)]
    public void A_number_with_an_integral_value_is_an_integer_however_it_is_written(string json, long expected)
    {
        Assert.True(TryInteger(json, out var value), json);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("3600.5")]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("1e-400")]
    [InlineData("1e400")]
    [InlineData("9223372036854775808")]
    [InlineData("9223372036854775808.0")]
    [InlineData("-9223372036854775809")]
    [InlineData("\"3600\"")]
    [InlineData("true")]
    [InlineData("null")]
    public void A_fraction_a_value_beyond_long_or_anything_but_a_number_is_not(string json)
    {
        Assert.False(TryInteger(json, out _), json);
    }
}
