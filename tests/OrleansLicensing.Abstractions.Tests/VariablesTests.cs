namespace OrleansLicensing;

public sealed class VariablesTests
{
    [Theory]
    [InlineData("7", "7")]
    [InlineData("-7", "-7")]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("1.0", "1")]
    [InlineData("1.000", "1")]
    [InlineData("1E3", "1000")]
    [InlineData("1e+3", "1000")]
    [InlineData("25e-1", "25e-1")]
    [InlineData("250e-1", "25")]
    [InlineData("-0.0e5", "0")]
    [InlineData("0.000", "0")]
    [InlineData("100", "100")]
    [InlineData("1.5e1", "15")]
    [InlineData("-1.50e2", "-150")]
    [InlineData("2.50", "2.50")]
    [InlineData("0.1", "0.1")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("9.223372036854775807e18", "9223372036854775807")]
    [InlineData("-9.223372036854775808e18", "-9223372036854775808")]
    [InlineData("9.223372036854775808e18", "9.223372036854775808e18")]
    [InlineData("1e20", "1e20")]
    [InlineData("-1.5e+300", "-1.5e+300")]
    public void Integral_numbers_within_64_bits_become_plain_digits_and_the_rest_stay_as_written(string text, string expected) =>
        Assert.Equal(expected, Variables.CanonicalNumber(text));
}
