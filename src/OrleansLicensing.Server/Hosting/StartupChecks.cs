using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace OrleansLicensing.Server.Hosting;

/// <summary>A start-up problem that is not a configuration value (a busy port, an unreachable database): one readable line.</summary>
public sealed class LicensingStartupException(string message) : Exception(message);

/// <summary>
/// What the process checks before it starts listening, and the one line it prints when starting fails.
/// </summary>
public static class StartupChecks
{
    /// <summary>
    /// The process's own ports must differ: the HTTP ports (<paramref name="urls"/>, <c>;</c>-separated),
    /// <c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c> and <c>Licensing:Metrics:Port</c> (0 = none).
    /// Two of them on one port would otherwise fail late, when the second binds, with an error that
    /// blames a port the process itself had just taken.
    /// </summary>
    public static void EnsureOwnPortsDiffer(string? urls, int siloPort, int gatewayPort, int metricsPort)
    {
        var named = new List<(string Name, int Port, bool Http)>();
        if (siloPort > 0) named.Add(("Orleans:SiloPort", siloPort, false));
        if (gatewayPort > 0) named.Add(("Orleans:GatewayPort", gatewayPort, false));
        if (metricsPort > 0) named.Add(("Licensing:Metrics:Port", metricsPort, false));
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                if (BindingAddress.Parse(url).Port is > 0 and var port) named.Add(($"the HTTP address {url}", port, true));
            }
            catch (FormatException)
            {
                // Not an address the checks can read; Kestrel reports it.
            }
        }
        for (var i = 0; i < named.Count; i++)
        {
            for (var j = i + 1; j < named.Count; j++)
            {
                // Two HTTP addresses may share a port (http://127.0.0.1:8080;http://[::1]:8080); Kestrel judges those.
                if (named[i].Port == named[j].Port && !(named[i].Http && named[j].Http))
                {
                    throw new LicensingConfigurationException($"{named[i].Name} and {named[j].Name} use the same port {named[i].Port}; each needs a port of its own");
                }
            }
        }
    }

    /// <summary>
    /// Throws <see cref="LicensingStartupException"/> when the HTTP, silo or gateway address is taken.
    /// Checked before anything binds because Orleans listens with <c>SO_REUSEPORT</c>: a second silo
    /// on a busy silo port would start and silently share the port with the first.
    /// </summary>
    public static void EnsureAddressesAreFree(WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        EnsureFree("silo", endpoints.SiloListeningEndpoint ?? new IPEndPoint(endpoints.AdvertisedIPAddress ?? IPAddress.Any, endpoints.SiloPort), "Orleans:SiloPort");
        if (endpoints.GatewayPort > 0)
        {
            EnsureFree("gateway", endpoints.GatewayListeningEndpoint ?? new IPEndPoint(endpoints.AdvertisedIPAddress ?? IPAddress.Any, endpoints.GatewayPort), "Orleans:GatewayPort");
        }

        // Kestrel's own endpoint configuration (Kestrel:Endpoints) is left to Kestrel; its bind error is classified by Describe.
        if (app.Configuration.GetSection("Kestrel:Endpoints").Exists()) return;
        foreach (var url in (app.Configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException error)
            {
                throw new LicensingConfigurationException($"urls = '{url}' is invalid: {error.Message}");
            }
            if (address.IsUnixPipe || address.Port == 0) continue;
            foreach (var ip in HttpListenAddresses(address.Host))
            {
                if (IsInUse(new IPEndPoint(ip, address.Port)))
                {
                    // Licensing:Metrics:Port is served as one more URL (Observability/Telemetry.cs): name it as what it is.
                    throw new LicensingStartupException(app.Configuration.GetValue<int>("Licensing:Metrics:Port") == address.Port
                        ? $"metrics port {address.Port} is already in use ({url}; Licensing:Metrics:Port)"
                        : $"HTTP port {address.Port} is already in use ({url})");
                }
            }
        }
    }

    /// <summary>
    /// The embedded SQLite database must take a write, made the way every write of the server is: a
    /// commit, then the <c>fsync</c> of the WAL (<see cref="SqliteWalSync"/>). SQLite opens a file it
    /// may not write read-only without a word, and reads (the schema check, <c>/health/ready</c>'s query)
    /// pass; every write would then fail. Run after the schema is applied; writes nothing new (the
    /// oldest schema-history row is rewritten as it is).
    /// </summary>
    public static async Task EnsureSqliteWritableAsync(LicensingSettings settings, CancellationToken cancellationToken = default)
    {
        var path = settings.SqliteDatabasePath;
        try
        {
            await using (var connection = new SqliteConnection(StorageConnections.Sqlite(settings)))
            {
                await connection.OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.Transaction = (SqliteTransaction)transaction;
                command.CommandText = $"UPDATE {SchemaMigrator.HistoryTable} SET applied_at = applied_at WHERE name = (SELECT min(name) FROM {SchemaMigrator.HistoryTable})";
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            await new SqliteWalSync(path).WaitAsync().WaitAsync(cancellationToken);
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw SqliteUnusable(path, error);
        }
    }

    /// <summary>The one line for a SQLite database that cannot be used: its path, and what is wrong with it.</summary>
    public static LicensingStartupException SqliteUnusable(string path, Exception error)
    {
        var reason = OneLine(error.Message).TrimEnd('.');
        var notWritable = error is IOException or UnauthorizedAccessException
                          || error is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_PERM or SQLitePCL.raw.SQLITE_CANTOPEN };
        return new LicensingStartupException(notWritable
            ? $"the SQLite database {path} cannot be opened for writing ({reason}): the file, and its directory (where SQLite keeps the -wal and -shm files), must be writable by this process"
            : $"the SQLite database {path} cannot be used: {reason}");
    }

    /// <summary>The one line for a failure while the host started (the races the checks above cannot see, the database, the silo).</summary>
    public static string Describe(Exception error)
    {
        var chain = Flatten(error).ToList();
        if (chain.OfType<LicensingStartupException>().FirstOrDefault() is { } startup) return startup.Message;
        if (chain.Any(e => e is AddressInUseException || e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }))
        {
            // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use."
            var bind = chain.OfType<IOException>().FirstOrDefault(e => e.Message.StartsWith("Failed to bind", StringComparison.Ordinal));
            return bind is not null ? OneLine(bind.Message) : "an address this server listens on is already in use";
        }
        if (chain.OfType<DbException>().FirstOrDefault() is { } database) return $"the database cannot be used: {OneLine(database.Message)}";
        return OneLine(chain[^1].Message);
    }

    private static void EnsureFree(string kind, IPEndPoint endpoint, string key)
    {
        if (IsInUse(endpoint))
        {
            throw new LicensingStartupException($"{kind} port {endpoint.Port} is already in use ({endpoint}; {key})");
        }
    }

    /// <summary>The addresses Kestrel binds for a URL host: both loopbacks for localhost, the given IP, else any.</summary>
    private static IEnumerable<IPAddress> HttpListenAddresses(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            yield return IPAddress.Loopback;
            if (Socket.OSSupportsIPv6) yield return IPAddress.IPv6Loopback;
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            yield return ip;
        }
        else
        {
            yield return IPAddress.Any;
        }
    }

    /// <summary>Whether binding the endpoint fails because something holds it (any other bind error is Kestrel's or Orleans' to report).</summary>
    private static bool IsInUse(IPEndPoint endpoint)
    {
        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(endpoint);
            return false;
        }
        catch (SocketException error)
        {
            return error.SocketErrorCode == SocketError.AddressAlreadyInUse;
        }
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        yield return error;
        var inner = error is AggregateException aggregate ? aggregate.InnerExceptions : error.InnerException is { } one ? [one] : [];
        foreach (var e in inner.SelectMany(Flatten)) yield return e;
    }

    /// <summary>The first line of a message, trimmed: exception messages of drivers run on over several lines.</summary>
    internal static string OneLine(string message) => message.Split('\n', 2)[0].Trim();
}
