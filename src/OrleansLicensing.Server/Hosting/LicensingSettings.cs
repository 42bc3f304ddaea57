using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansLicensing.Server.Hosting;

/// <summary>Where grain state, membership and reminders live.</summary>
public enum StorageProvider
{
    /// <summary>Embedded default: one silo, a SQLite file in the data directory.</summary>
    Sqlite,
    /// <summary>Cluster: ADO.NET clustering, persistence and reminders on PostgreSQL.</summary>
    PostgreSql,
}

/// <summary>The <c>Licensing</c> configuration section (developer-api.md §1, auth-protocol.md §1.2).</summary>
public sealed class LicensingOptions
{
    public const string Section = "Licensing";

    public string DataDirectory { get; set; } = "./data";
    public string? OperatorToken { get; set; }
    public string? MasterKey { get; set; }
    public StorageOptions Storage { get; set; } = new();
    public ApiOptions Api { get; set; } = new();
    public WebhookOptions Webhooks { get; set; } = new();
    public JobOptions Jobs { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();

    public sealed class StorageOptions
    {
        public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

        /// <summary>Group commit window of an account's writes (see <c>AccountOptions.GroupCommitWindow</c>).</summary>
        public TimeSpan GroupCommitWindow { get; set; } = OrleansLicensing.Accounts.AccountOptions.DefaultGroupCommitWindow;

        /// <summary>How long start-up waits for an unreachable database (it may be starting too) before giving up.</summary>
        public TimeSpan StartupWait { get; set; } = TimeSpan.FromSeconds(60);
    }

    public sealed class ApiOptions
    {
        public ApiRateLimitOptions RateLimits { get; set; } = new();

        /// <summary>Days an auth log entry is kept (<c>GET /v1/apps/{appId}/logs</c>); 1–3650.</summary>
        public int AuthLogRetentionDays { get; set; } = 30;
    }

    public sealed class ApiRateLimitOptions
    {
        public int Burst { get; set; } = 100;
        public int PerSecond { get; set; } = 50;
    }

    public sealed class WebhookOptions
    {
        public bool AllowPrivateTargets { get; set; }

        /// <summary><c>credits.low</c> fires when a change takes the balance from at least this to below it.</summary>
        public long CreditsLowThreshold { get; set; } = 100;

        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);
        public int MaxAttempts { get; set; } = 12;
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
        public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How long dispatched events and finished deliveries (the delivery log) are kept.</summary>
        public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

        /// <summary>The delivery options the silo runs with.</summary>
        public OrleansLicensing.Webhooks.WebhookDeliveryOptions ToDeliveryOptions() => new()
        {
            AllowPrivateTargets = AllowPrivateTargets,
            RetryBaseDelay = RetryBaseDelay,
            MaxAttempts = MaxAttempts,
            Timeout = Timeout,
            SweepInterval = SweepInterval,
            Retention = Retention,
        };
    }

    /// <summary>The <c>Licensing:Jobs</c> section: settings of the periodic jobs (<see cref="BackgroundJobs"/>).</summary>
    public sealed class JobOptions
    {
        /// <summary>The key before <c>Licensing:Jobs</c> existed; still read when the new key is not set.</summary>
        public const string LegacyExpirySweepIntervalKey = "Licensing:Webhooks:ExpirySweepInterval";

        /// <summary>How often each silo looks for licenses whose expiry passed (<c>license.expired</c>).</summary>
        public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);
    }

    public sealed class AuthOptions
    {
        public string PathPrefix { get; set; } = "";
        public string DefaultFailureHttpStatus { get; set; } = "always200";
        public List<string> SessionTokenSecrets { get; set; } = [];
        public List<string> TrustedProxies { get; set; } = [];
        public int HeartbeatBillingInterval { get; set; } = 10;
        public AuthRateLimitOptions RateLimits { get; set; } = new();
    }

    public sealed class AuthRateLimitOptions
    {
        public int ValidatePerLicensePerMinute { get; set; } = 5;
        public int ValidatePerIpPerMinute { get; set; } = 30;
        public int HeartbeatPerLicensePerMinute { get; set; } = 6;
        public int AppBurst { get; set; } = 200;
        public int AppPerSecond { get; set; } = 100;
    }
}

/// <summary>The <c>Orleans</c> configuration section.</summary>
public sealed class OrleansEndpointOptions
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
}

/// <summary>A configuration value that stops the process: its message is one readable line.</summary>
public sealed class LicensingConfigurationException(string message) : Exception(message);

/// <summary>Everything the host needs from configuration, bound and validated once at start.</summary>
public sealed partial record LicensingSettings(
    LicensingOptions Licensing,
    OrleansEndpointOptions Orleans,
    StorageProvider Provider,
    string? PostgresConnectionString,
    string DataDirectory)
{
    public const string ConnectionStringName = "Licensing";

    /// <summary>Binds and validates; throws <see cref="LicensingConfigurationException"/> naming the key at fault.</summary>
    public static LicensingSettings Load(IConfiguration configuration)
    {
        LicensingOptions licensing;
        OrleansEndpointOptions orleans;
        try
        {
            licensing = configuration.GetSection(LicensingOptions.Section).Get<LicensingOptions>() ?? new();
            orleans = configuration.GetSection(OrleansEndpointOptions.Section).Get<OrleansEndpointOptions>() ?? new();
        }
        catch (InvalidOperationException error)
        {
            // The binder names the key and the expected type, e.g. "Failed to convert configuration value at 'Orleans:SiloPort' to type 'System.Int32'."
            throw new LicensingConfigurationException(error.Message);
        }

        if (!Enum.TryParse<StorageProvider>(licensing.Storage.Provider, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
        {
            throw Invalid("Licensing:Storage:Provider", licensing.Storage.Provider, "must be Sqlite or PostgreSql");
        }

        string? postgres = null;
        if (provider == StorageProvider.PostgreSql)
        {
            postgres = configuration.GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(postgres))
            {
                throw new LicensingConfigurationException("ConnectionStrings:Licensing (env ConnectionStrings__Licensing) is required when Licensing:Storage:Provider is PostgreSql");
            }
            try
            {
                _ = new NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException error)
            {
                throw new LicensingConfigurationException($"ConnectionStrings:Licensing is not a valid Npgsql connection string: {error.Message}");
            }
            // Secrets generated into one silo's data directory would differ between silos.
            if (string.IsNullOrWhiteSpace(licensing.MasterKey))
            {
                throw new LicensingConfigurationException("Licensing:MasterKey must be set when Licensing:Storage:Provider is PostgreSql (every silo of a cluster needs the same key: base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
            }
            if (string.IsNullOrWhiteSpace(licensing.OperatorToken))
            {
                throw new LicensingConfigurationException("Licensing:OperatorToken must be set when Licensing:Storage:Provider is PostgreSql (every silo of a cluster must accept the same token)");
            }
            if (licensing.Auth.SessionTokenSecrets.Count == 0)
            {
                throw new LicensingConfigurationException("Licensing:Auth:SessionTokenSecrets must be set when Licensing:Storage:Provider is PostgreSql (every silo must verify the tokens the others issue; at least 32 characters, e.g. `openssl rand -base64 32`)");
            }
        }

        if (string.IsNullOrWhiteSpace(licensing.DataDirectory))
        {
            throw Invalid("Licensing:DataDirectory", licensing.DataDirectory, "must be a directory path");
        }
        if (licensing.MasterKey is { Length: > 0 } masterKey && !IsBase64Of32Bytes(masterKey))
        {
            throw new LicensingConfigurationException("Licensing:MasterKey must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        if (licensing.OperatorToken is { Length: > 0 } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            throw new LicensingConfigurationException("Licensing:OperatorToken must be at least 16 characters without spaces");
        }

        ValidatePort("Orleans:SiloPort", orleans.SiloPort);
        ValidatePort("Orleans:GatewayPort", orleans.GatewayPort);
        if (orleans.SiloPort == orleans.GatewayPort)
        {
            throw new LicensingConfigurationException($"Orleans:SiloPort and Orleans:GatewayPort must differ (both are {orleans.SiloPort})");
        }
        var window = licensing.Storage.GroupCommitWindow;
        if (window < TimeSpan.Zero || window > TimeSpan.FromSeconds(1))
        {
            throw Invalid("Licensing:Storage:GroupCommitWindow", window.ToString("c", CultureInfo.InvariantCulture), "must be between 00:00:00 and 00:00:01");
        }
        var startupWait = licensing.Storage.StartupWait;
        if (startupWait < TimeSpan.Zero || startupWait > TimeSpan.FromHours(1))
        {
            throw Invalid("Licensing:Storage:StartupWait", startupWait.ToString("c", CultureInfo.InvariantCulture), "must be between 00:00:00 and 01:00:00");
        }
        if (orleans.CollectionAge <= TimeSpan.FromMinutes(1))
        {
            // Orleans collects once per minute (its collection quantum); the age must exceed it.
            throw Invalid("Orleans:CollectionAge", orleans.CollectionAge.ToString("c", CultureInfo.InvariantCulture), "must be longer than 00:01:00");
        }
        ValidateIdentifier("Orleans:ClusterId", orleans.ClusterId);
        ValidateIdentifier("Orleans:ServiceId", orleans.ServiceId);
        if (orleans.AdvertisedIPAddress is { Length: > 0 } advertised && !IPAddress.TryParse(advertised, out _))
        {
            throw Invalid("Orleans:AdvertisedIPAddress", advertised, "must be an IP address");
        }

        NotNegative("Licensing:Api:RateLimits:Burst", licensing.Api.RateLimits.Burst);
        NotNegative("Licensing:Api:RateLimits:PerSecond", licensing.Api.RateLimits.PerSecond);
        if (licensing.Api.AuthLogRetentionDays is < 1 or > 3650)
        {
            throw Invalid("Licensing:Api:AuthLogRetentionDays", licensing.Api.AuthLogRetentionDays.ToString(), "must be an integer from 1 to 3650");
        }

        var webhooks = licensing.Webhooks;
        DurationWithin("Licensing:Webhooks:RetryBaseDelay", webhooks.RetryBaseDelay, TimeSpan.FromHours(6));
        DurationWithin("Licensing:Webhooks:Timeout", webhooks.Timeout, TimeSpan.FromMinutes(5));
        DurationWithin("Licensing:Webhooks:SweepInterval", webhooks.SweepInterval, TimeSpan.FromHours(1));
        DurationWithin("Licensing:Webhooks:Retention", webhooks.Retention, TimeSpan.FromDays(3650));
        if (webhooks.CreditsLowThreshold < 0)
        {
            throw Invalid("Licensing:Webhooks:CreditsLowThreshold", webhooks.CreditsLowThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be an integer >= 0");
        }
        if (webhooks.MaxAttempts is < 1 or > 100)
        {
            throw Invalid("Licensing:Webhooks:MaxAttempts", webhooks.MaxAttempts.ToString(), "must be an integer from 1 to 100");
        }

        // Licensing:Jobs:ExpirySweepInterval; configurations written before the section existed set it under Licensing:Webhooks.
        var expirySweepKey = "Licensing:Jobs:ExpirySweepInterval";
        if (string.IsNullOrEmpty(configuration[expirySweepKey]) && !string.IsNullOrEmpty(configuration[LicensingOptions.JobOptions.LegacyExpirySweepIntervalKey]))
        {
            expirySweepKey = LicensingOptions.JobOptions.LegacyExpirySweepIntervalKey;
            try
            {
                licensing.Jobs.ExpirySweepInterval = configuration.GetValue<TimeSpan>(expirySweepKey);
            }
            catch (InvalidOperationException error)
            {
                throw new LicensingConfigurationException(error.Message);
            }
        }
        DurationWithin(expirySweepKey, licensing.Jobs.ExpirySweepInterval, TimeSpan.FromDays(1));

        var auth = licensing.Auth;
        if (auth.PathPrefix.Length > 0 && (!auth.PathPrefix.StartsWith('/') || auth.PathPrefix.EndsWith('/') || !PathPrefixPattern().IsMatch(auth.PathPrefix)))
        {
            throw Invalid("Licensing:Auth:PathPrefix", auth.PathPrefix, "must be empty or a path like /af (leading slash, no trailing slash)");
        }
        if (auth.DefaultFailureHttpStatus is not ("always200" or "semantic"))
        {
            throw Invalid("Licensing:Auth:DefaultFailureHttpStatus", auth.DefaultFailureHttpStatus, "must be always200 or semantic");
        }
        for (var i = 0; i < auth.SessionTokenSecrets.Count; i++)
        {
            if (auth.SessionTokenSecrets[i] is not { Length: >= 32 })
            {
                throw new LicensingConfigurationException($"Licensing:Auth:SessionTokenSecrets:{i} must be at least 32 characters");
            }
        }
        for (var i = 0; i < auth.TrustedProxies.Count; i++)
        {
            // The same parser the proxy set is built with (Auth/CallerIp.cs), so what passes here cannot fail later.
            if (!OrleansLicensing.Apps.IpRules.TryParse(auth.TrustedProxies[i]?.Trim(), out _))
            {
                throw Invalid($"Licensing:Auth:TrustedProxies:{i}", auth.TrustedProxies[i], "must be an IP address or CIDR range");
            }
        }
        if (auth.HeartbeatBillingInterval < 1)
        {
            throw Invalid("Licensing:Auth:HeartbeatBillingInterval", auth.HeartbeatBillingInterval.ToString(), "must be an integer >= 1");
        }
        NotNegative("Licensing:Auth:RateLimits:ValidatePerLicensePerMinute", auth.RateLimits.ValidatePerLicensePerMinute);
        NotNegative("Licensing:Auth:RateLimits:ValidatePerIpPerMinute", auth.RateLimits.ValidatePerIpPerMinute);
        NotNegative("Licensing:Auth:RateLimits:HeartbeatPerLicensePerMinute", auth.RateLimits.HeartbeatPerLicensePerMinute);
        NotNegative("Licensing:Auth:RateLimits:AppBurst", auth.RateLimits.AppBurst);
        NotNegative("Licensing:Auth:RateLimits:AppPerSecond", auth.RateLimits.AppPerSecond);

        return new LicensingSettings(licensing, orleans, provider, postgres, Path.GetFullPath(licensing.DataDirectory));
    }

    /// <summary>The SQLite database file of the embedded default.</summary>
    public string SqliteDatabasePath => Path.Combine(DataDirectory, "licensing.db");

    private static LicensingConfigurationException Invalid(string key, string? value, string rule) =>
        new($"{key} = '{value}' is invalid: {rule}");

    private static void ValidatePort(string key, int port)
    {
        if (port is < 1 or > 65535) throw Invalid(key, port.ToString(), "must be a TCP port from 1 to 65535");
    }

    private static void NotNegative(string key, int value)
    {
        if (value < 0) throw Invalid(key, value.ToString(), "must be >= 0 (0 = no limit)");
    }

    private static void DurationWithin(string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max) throw Invalid(key, value.ToString(), $"must be a duration above 0 and at most {max} (e.g. 00:00:10)");
    }

    private static void ValidateIdentifier(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !IdentifierPattern().IsMatch(value))
        {
            throw Invalid(key, value, "must be 1-150 characters of letters, digits, '.', '_' or '-'");
        }
    }

    private static bool IsBase64Of32Bytes(string value)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,150}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^(/[A-Za-z0-9._~-]+)+$")]
    private static partial Regex PathPrefixPattern();
}
