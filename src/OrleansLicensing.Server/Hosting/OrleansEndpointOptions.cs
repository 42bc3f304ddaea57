using System.Net;
using System.Text.RegularExpressions;
using static OrleansLicensing.Server.Hosting.ConfigurationRules;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The <c>Orleans</c> configuration section.</summary>
public sealed partial class OrleansEndpointOptions
{
    public const string Section = "Orleans";

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string ClusterId { get; set; } = "orleans-licensing";
    public string ServiceId { get; set; } = "orleans-licensing";
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>
    /// How long an idle grain stays in memory (Orleans' collection age): a license touched at an
    /// app's launch stays hot across the SDK's default 15-minute heartbeat, then leaves memory.
    /// </summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(20);

    internal void Validate()
    {
        Port("Orleans:SiloPort", SiloPort);
        Port("Orleans:GatewayPort", GatewayPort);
        if (SiloPort == GatewayPort)
        {
            throw new LicensingConfigurationException($"Orleans:SiloPort and Orleans:GatewayPort must differ (both are {SiloPort})");
        }
        if (CollectionAge <= TimeSpan.FromMinutes(1))
        {
            // Orleans collects once per minute (its collection quantum); the age must exceed it.
            throw Invalid("Orleans:CollectionAge", CollectionAge.ToString("c", System.Globalization.CultureInfo.InvariantCulture), "must be longer than 00:01:00");
        }
        Identifier("Orleans:ClusterId", ClusterId);
        Identifier("Orleans:ServiceId", ServiceId);
        if (AdvertisedIPAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
        {
            throw Invalid("Orleans:AdvertisedIPAddress", advertised, "must be an IP address");
        }
    }

    private static void Identifier(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !IdentifierPattern().IsMatch(value))
        {
            throw Invalid(key, value, "must be 1-150 characters of letters, digits, '.', '_' or '-'");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,150}$")]
    private static partial Regex IdentifierPattern();
}
