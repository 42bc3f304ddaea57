using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net;
using Orleans.Configuration;
using Orleans.Storage;
using OrleansLicensing.Server.Webhooks;
using OrleansLicensing.Storage;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The one place that knows Orleans providers: storage, clustering, reminders, endpoints.</summary>
public static class LicensingSilo
{
    /// <summary>Configures the whole silo from validated settings.</summary>
    public static ISiloBuilder ConfigureLicensingSilo(this ISiloBuilder silo, LicensingSettings settings)
    {
        var orleans = settings.Orleans;
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = orleans.CollectionAge);

        var (invariant, connectionString) = StorageConnections.For(settings);
        if (settings.Provider == StorageProvider.PostgreSql)
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
            });
            // Failover (docs/design.md, "A silo dies"): a killed silo's grains are unreachable until it
            // is declared dead, so it is declared dead sooner than Orleans' defaults (5 s probe timeout,
            // 3 missed probes): two missed 2-second probes, confirmed by the votes of two silos. A call
            // to a silo that stopped answering gives up after 10 s instead of 30 s.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            if (orleans.AdvertisedIPAddress is { Length: > 0 } advertised)
            {
                silo.ConfigureEndpoints(IPAddress.Parse(advertised), orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.ConfigureEndpoints(orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: true);
            }
        }
        else
        {
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
        }

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        silo.Services.TryAddSingleton(settings.Licensing.Webhooks.ToDeliveryOptions());
        return silo.AddLicensingGrainStorage(invariant, connectionString);
    }

    /// <summary>
    /// The grain storage every grain uses, with Orleans' own binary serializer (version tolerant by
    /// the <c>[Id]</c> attributes). Also used by grain tests, so they run on the project's real SQL.
    /// Webhook delivery (outbox, sender) comes with it: it works on the same database. The periodic jobs
    /// that sweep these tables are not registered here but by <see cref="BackgroundJobs"/>, once, by the host.
    /// </summary>
    public static ISiloBuilder AddLicensingGrainStorage(this ISiloBuilder silo, string invariant, string connectionString)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<OrleansLicensing.Diagnostics.LicensingMetrics>();
        silo.Services.TryAddSingleton(new LicensingDatabase(
            invariant == StorageConnections.PostgresInvariant ? StorageProvider.PostgreSql : StorageProvider.Sqlite, connectionString));
        silo.Services.AddLicensingWebhooks();
        // The request path: the account's replay window and heartbeat counters (rows its writes
        // project, and the silo's group-committed writer of non-billable heartbeat counts), and the
        // silo-local view caches every /auth edge keeps correct (docs/design.md).
        silo.Services.TryAddSingleton<OrleansLicensing.Server.Auth.SqlRequestPathStore>();
        silo.Services.TryAddSingleton<IReplayWindowStore>(s => s.GetRequiredService<OrleansLicensing.Server.Auth.SqlRequestPathStore>());
        silo.Services.TryAddSingleton(s =>
        {
            // The counter writes take the accounts' group-commit window and a full batch of their own.
            var accounts = s.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrleansLicensing.Accounts.AccountOptions>>().Value;
            return new OrleansLicensing.Server.Auth.HeartbeatCounterJournal(
                s.GetRequiredService<OrleansLicensing.Server.Auth.SqlRequestPathStore>(),
                s.GetRequiredService<OrleansLicensing.Diagnostics.LicensingMetrics>(),
                accounts.GroupCommitWindow, accounts.HeartbeatCounterBatch);
        });
        silo.Services.TryAddSingleton<IHeartbeatCounterStore>(s => s.GetRequiredService<OrleansLicensing.Server.Auth.HeartbeatCounterJournal>());
        silo.Services.TryAddSingleton<OrleansLicensing.Views.AuthViewBroadcast>();
        silo.Services.TryAddSingleton<OrleansLicensing.Views.IAuthViewCache, OrleansLicensing.Views.NoAuthViewCache>();
        silo.AddPlacementDirector<OrleansLicensing.Views.SiloAddressPlacement, OrleansLicensing.Views.SiloAddressPlacementDirector>();
        silo.AddAdoNetGrainStorage(LicensingStorage.Name, options => options.Configure<IServiceProvider>((o, services) =>
        {
            o.Invariant = invariant;
            // SQLite: connections of the same database file as every other writer, so the write gate's
            // shared fsync covers them; kept open with their prepared statements.
            if (services.GetRequiredService<LicensingDatabase>().GrainStateConnections is { } sqlite) o.DataSource = sqlite;
            else o.ConnectionString = connectionString;
            o.GrainStorageSerializer = new ProjectingStorageSerializer(
                new OrleansGrainStorageSerializer(services.GetRequiredService<Orleans.Serialization.Serializer>()));
        }));
        GatedGrainStorage.Decorate(silo.Services, LicensingStorage.Name);
        return silo;
    }
}
