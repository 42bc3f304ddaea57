using System.Text.RegularExpressions;
using Npgsql;
using static OrleansLicensing.Server.Hosting.ConfigurationRules;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The <c>Licensing</c> configuration section (docs/developer-api.md §1, docs/protocol.md §1.2). Each
/// sub-section validates itself next to its properties; <see cref="LicensingSettings.Load"/> runs them.
/// </summary>
public sealed partial class LicensingOptions
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

    /// <summary>
    /// The keys of the section itself, and what a PostgreSQL cluster requires of the others; returns
    /// the cluster's connection string (<c>null</c> on SQLite).
    /// </summary>
    internal string? Validate(StorageProvider provider, IConfiguration configuration)
    {
        string? postgres = null;
        if (provider == StorageProvider.PostgreSql)
        {
            postgres = configuration.GetConnectionString(LicensingSettings.ConnectionStringName);
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
            if (string.IsNullOrWhiteSpace(MasterKey))
            {
                throw new LicensingConfigurationException("Licensing:MasterKey must be set when Licensing:Storage:Provider is PostgreSql (every silo of a cluster needs the same key: base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
            }
            if (string.IsNullOrWhiteSpace(OperatorToken))
            {
                throw new LicensingConfigurationException("Licensing:OperatorToken must be set when Licensing:Storage:Provider is PostgreSql (every silo of a cluster must accept the same token)");
            }
            if (Auth.SessionTokenSecrets.Count == 0)
            {
                throw new LicensingConfigurationException("Licensing:Auth:SessionTokenSecrets must be set when Licensing:Storage:Provider is PostgreSql (every silo must verify the tokens the others issue; at least 32 characters, e.g. `openssl rand -base64 32`)");
            }
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw Invalid("Licensing:DataDirectory", DataDirectory, "must be a directory path");
        }
        if (MasterKey is { Length: > 0 } masterKey && !IsBase64Of32Bytes(masterKey))
        {
            throw new LicensingConfigurationException("Licensing:MasterKey must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        if (OperatorToken is { Length: > 0 } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            throw new LicensingConfigurationException("Licensing:OperatorToken must be at least 16 characters without spaces");
        }
        return postgres;
    }

    private static bool IsBase64Of32Bytes(string value)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(value, buffer, out var written) && written == 32;
    }

    /// <summary><c>Licensing:Storage</c>.</summary>
    public sealed class StorageOptions
    {
        public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

        /// <summary>Group commit window of an account's writes (see <c>AccountOptions.GroupCommitWindow</c>).</summary>
        public TimeSpan GroupCommitWindow { get; set; } = OrleansLicensing.Accounts.AccountOptions.DefaultGroupCommitWindow;

        /// <summary>Operations that end an account's group-commit window early (see <c>AccountOptions.GroupCommitBatch</c>).</summary>
        public int GroupCommitBatch { get; set; } = OrleansLicensing.Accounts.AccountOptions.DefaultGroupCommitBatch;

        /// <summary>Licenses that end a heartbeat-counter write's window early (see <c>AccountOptions.HeartbeatCounterBatch</c>).</summary>
        public int HeartbeatCounterBatch { get; set; } = OrleansLicensing.Accounts.AccountOptions.DefaultHeartbeatCounterBatch;

        /// <summary>How often a license writes its changed last-seen data (see <c>LicenseOptions.LastSeenFlushInterval</c>).</summary>
        public TimeSpan LastSeenFlushInterval { get; set; } = OrleansLicensing.Licenses.LicenseOptions.DefaultLastSeenFlushInterval;

        /// <summary>How long start-up waits for an unreachable database (it may be starting too) before giving up.</summary>
        public TimeSpan StartupWait { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The configured provider.</summary>
        internal StorageProvider ParseProvider()
        {
            if (!Enum.TryParse<StorageProvider>(Provider, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
            {
                throw Invalid("Licensing:Storage:Provider", Provider, "must be Sqlite or PostgreSql");
            }
            return provider;
        }

        internal void Validate()
        {
            DurationBetween("Licensing:Storage:GroupCommitWindow", GroupCommitWindow, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            IntegerBetween("Licensing:Storage:GroupCommitBatch", GroupCommitBatch, 0, 10_000);
            IntegerBetween("Licensing:Storage:HeartbeatCounterBatch", HeartbeatCounterBatch, 0, 10_000);
            DurationBetween("Licensing:Storage:LastSeenFlushInterval", LastSeenFlushInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            DurationBetween("Licensing:Storage:StartupWait", StartupWait, TimeSpan.Zero, TimeSpan.FromHours(1));
        }
    }

    /// <summary><c>Licensing:Api</c>: the developer API.</summary>
    public sealed class ApiOptions
    {
        public ApiRateLimitOptions RateLimits { get; set; } = new();

        /// <summary>Days an auth log entry is kept (<c>GET /v1/apps/{appId}/logs</c>); 1–3650.</summary>
        public int AuthLogRetentionDays { get; set; } = 30;

        internal void Validate()
        {
            NotNegative("Licensing:Api:RateLimits:Burst", RateLimits.Burst);
            NotNegative("Licensing:Api:RateLimits:PerSecond", RateLimits.PerSecond);
            IntegerBetween("Licensing:Api:AuthLogRetentionDays", AuthLogRetentionDays, 1, 3650);
        }
    }

    public sealed class ApiRateLimitOptions
    {
        public int Burst { get; set; } = 100;
        public int PerSecond { get; set; } = 50;
    }

    /// <summary>
    /// <c>Licensing:Webhooks</c>. The delivery defaults are <see cref="OrleansLicensing.Webhooks.WebhookDeliveryOptions"/>'s
    /// and the <c>credits.low</c> threshold's is <see cref="OrleansLicensing.Accounts.AccountOptions"/>' (one source each).
    /// </summary>
    public sealed class WebhookOptions
    {
        private static readonly OrleansLicensing.Webhooks.WebhookDeliveryOptions Defaults = new();

        public bool AllowPrivateTargets { get; set; } = Defaults.AllowPrivateTargets;

        /// <summary><c>credits.low</c> fires when a change takes the balance from at least this to below it.</summary>
        public long CreditsLowThreshold { get; set; } = OrleansLicensing.Accounts.AccountOptions.DefaultCreditsLowThreshold;

        public TimeSpan RetryBaseDelay { get; set; } = Defaults.RetryBaseDelay;
        public int MaxAttempts { get; set; } = Defaults.MaxAttempts;
        public TimeSpan Timeout { get; set; } = Defaults.Timeout;
        public TimeSpan SweepInterval { get; set; } = Defaults.SweepInterval;

        /// <summary>How long dispatched events and finished deliveries (the delivery log) are kept.</summary>
        public TimeSpan Retention { get; set; } = Defaults.Retention;

        /// <summary>The delivery options the silo runs with.</summary>
        public OrleansLicensing.Webhooks.WebhookDeliveryOptions ToDeliveryOptions() => Defaults with
        {
            AllowPrivateTargets = AllowPrivateTargets,
            RetryBaseDelay = RetryBaseDelay,
            MaxAttempts = MaxAttempts,
            Timeout = Timeout,
            SweepInterval = SweepInterval,
            Retention = Retention,
        };

        internal void Validate()
        {
            DurationWithin("Licensing:Webhooks:RetryBaseDelay", RetryBaseDelay, TimeSpan.FromHours(6));
            DurationWithin("Licensing:Webhooks:Timeout", Timeout, TimeSpan.FromMinutes(5));
            DurationWithin("Licensing:Webhooks:SweepInterval", SweepInterval, TimeSpan.FromHours(1));
            DurationWithin("Licensing:Webhooks:Retention", Retention, TimeSpan.FromDays(3650));
            if (CreditsLowThreshold < 0)
            {
                throw Invalid("Licensing:Webhooks:CreditsLowThreshold", CreditsLowThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be an integer >= 0");
            }
            IntegerBetween("Licensing:Webhooks:MaxAttempts", MaxAttempts, 1, 100);
        }
    }

    /// <summary>The <c>Licensing:Jobs</c> section: settings of the periodic jobs (<see cref="BackgroundJobs"/>).</summary>
    public sealed class JobOptions
    {
        /// <summary>The key before <c>Licensing:Jobs</c> existed; still read when the new key is not set.</summary>
        public const string LegacyExpirySweepIntervalKey = "Licensing:Webhooks:ExpirySweepInterval";

        private const string ExpirySweepIntervalKey = "Licensing:Jobs:ExpirySweepInterval";

        /// <summary>How often each silo looks for licenses whose expiry passed (<c>license.expired</c>).</summary>
        public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Validates, after taking the interval from its old key when only that one is set.</summary>
        internal void Validate(IConfiguration configuration)
        {
            var key = ExpirySweepIntervalKey;
            if (string.IsNullOrEmpty(configuration[key]) && !string.IsNullOrEmpty(configuration[LegacyExpirySweepIntervalKey]))
            {
                key = LegacyExpirySweepIntervalKey;
                try
                {
                    ExpirySweepInterval = configuration.GetValue<TimeSpan>(key);
                }
                catch (InvalidOperationException error)
                {
                    throw new LicensingConfigurationException(error.Message);
                }
            }
            DurationWithin(key, ExpirySweepInterval, TimeSpan.FromDays(1));
        }
    }

    /// <summary><c>Licensing:Auth</c>: the deployment settings of the <c>/auth</c> edge (read by <c>AuthSettings</c>).</summary>
    public sealed partial class AuthOptions
    {
        public string PathPrefix { get; set; } = "";
        public string DefaultFailureHttpStatus { get; set; } = "always200";
        public List<string> SessionTokenSecrets { get; set; } = [];
        public List<string> TrustedProxies { get; set; } = [];
        public int HeartbeatBillingInterval { get; set; } = 10;
        public AuthRateLimitOptions RateLimits { get; set; } = new();

        internal void Validate()
        {
            if (PathPrefix.Length > 0 && (!PathPrefix.StartsWith('/') || PathPrefix.EndsWith('/') || !PathPrefixPattern().IsMatch(PathPrefix)))
            {
                throw Invalid("Licensing:Auth:PathPrefix", PathPrefix, "must be empty or a path like /af (leading slash, no trailing slash)");
            }
            if (DefaultFailureHttpStatus is not ("always200" or "semantic"))
            {
                throw Invalid("Licensing:Auth:DefaultFailureHttpStatus", DefaultFailureHttpStatus, "must be always200 or semantic");
            }
            for (var i = 0; i < SessionTokenSecrets.Count; i++)
            {
                if (SessionTokenSecrets[i] is not { Length: >= 32 })
                {
                    throw new LicensingConfigurationException($"Licensing:Auth:SessionTokenSecrets:{i} must be at least 32 characters");
                }
            }
            for (var i = 0; i < TrustedProxies.Count; i++)
            {
                // The same parser the proxy set is built with (Auth/CallerIp.cs), so what passes here cannot fail later.
                if (!OrleansLicensing.Apps.IpRules.TryParse(TrustedProxies[i]?.Trim(), out _))
                {
                    throw Invalid($"Licensing:Auth:TrustedProxies:{i}", TrustedProxies[i], "must be an IP address or CIDR range");
                }
            }
            if (HeartbeatBillingInterval < 1)
            {
                throw Invalid("Licensing:Auth:HeartbeatBillingInterval", HeartbeatBillingInterval.ToString(), "must be an integer >= 1");
            }
            NotNegative("Licensing:Auth:RateLimits:ValidatePerLicensePerMinute", RateLimits.ValidatePerLicensePerMinute);
            NotNegative("Licensing:Auth:RateLimits:ValidatePerIpPerMinute", RateLimits.ValidatePerIpPerMinute);
            NotNegative("Licensing:Auth:RateLimits:HeartbeatPerLicensePerMinute", RateLimits.HeartbeatPerLicensePerMinute);
            NotNegative("Licensing:Auth:RateLimits:AppBurst", RateLimits.AppBurst);
            NotNegative("Licensing:Auth:RateLimits:AppPerSecond", RateLimits.AppPerSecond);
        }

        [GeneratedRegex("^(/[A-Za-z0-9._~-]+)+$")]
        private static partial Regex PathPrefixPattern();
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
