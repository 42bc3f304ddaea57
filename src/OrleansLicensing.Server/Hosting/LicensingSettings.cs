namespace OrleansLicensing.Server.Hosting;

/// <summary>Where grain state, membership and reminders live.</summary>
public enum StorageProvider
{
    /// <summary>Embedded default: one silo, a SQLite file in the data directory.</summary>
    Sqlite,
    /// <summary>Cluster: ADO.NET clustering, persistence and reminders on PostgreSQL.</summary>
    PostgreSql,
}

/// <summary>A configuration value that stops the process: its message is one readable line.</summary>
public sealed class LicensingConfigurationException(string message) : Exception(message);

/// <summary>Everything the host needs from configuration, bound and validated once at start.</summary>
public sealed record LicensingSettings(
    LicensingOptions Licensing,
    OrleansEndpointOptions Orleans,
    StorageProvider Provider,
    string? PostgresConnectionString,
    string DataDirectory)
{
    public const string ConnectionStringName = "Licensing";

    /// <summary>
    /// Binds and validates, section by section (each options class validates its own keys); throws
    /// <see cref="LicensingConfigurationException"/> naming the key at fault, in one line.
    /// </summary>
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

        var provider = licensing.Storage.ParseProvider();
        var postgres = licensing.Validate(provider, configuration);
        orleans.Validate();
        licensing.Storage.Validate();
        licensing.Api.Validate();
        licensing.Webhooks.Validate();
        licensing.Jobs.Validate(configuration);
        licensing.Auth.Validate();

        return new LicensingSettings(licensing, orleans, provider, postgres, Path.GetFullPath(licensing.DataDirectory));
    }

    /// <summary>Where the HTTP APIs listen when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> says.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>The SQLite database file of the embedded default.</summary>
    public string SqliteDatabasePath => Path.Combine(DataDirectory, "licensing.db");
}
