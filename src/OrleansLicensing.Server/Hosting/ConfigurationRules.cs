using System.Globalization;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The rules the options classes validate their sections with, and the one-line message of a
/// refused value (<c>{key} = '{value}' is invalid: {rule}</c>).
/// </summary>
internal static class ConfigurationRules
{
    public static LicensingConfigurationException Invalid(string key, string? value, string rule) =>
        new($"{key} = '{value}' is invalid: {rule}");

    public static void Port(string key, int port)
    {
        if (port is < 1 or > 65535) throw Invalid(key, port.ToString(), "must be a TCP port from 1 to 65535");
    }

    public static void NotNegative(string key, int value)
    {
        if (value < 0) throw Invalid(key, value.ToString(), "must be >= 0 (0 = no limit)");
    }

    public static void IntegerBetween(string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw Invalid(key, value.ToString(CultureInfo.InvariantCulture), $"must be an integer from {min} to {max}");
        }
    }

    public static void DurationWithin(string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max) throw Invalid(key, value.ToString(), $"must be a duration above 0 and at most {max} (e.g. 00:00:10)");
    }

    public static void DurationBetween(string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw Invalid(key, value.ToString("c", CultureInfo.InvariantCulture),
                $"must be between {min.ToString("c", CultureInfo.InvariantCulture)} and {max.ToString("c", CultureInfo.InvariantCulture)}");
        }
    }
}
