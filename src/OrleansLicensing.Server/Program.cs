using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Observability;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Security;
using OrleansLicensing.Server.WebConsole;

namespace OrleansLicensing.Server;

/// <summary>The silo host: one process runs the Orleans silo and the HTTP APIs.</summary>
public sealed class Program
{
    private Program() { }

    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = await BuildAsync(args);
            StartupChecks.EnsureAddressesAreFree(app);
        }
        catch (LicensingConfigurationException error)
        {
            // One readable line, no stack trace: the operator fixes the value and starts again.
            await Console.Error.WriteLineAsync($"orleans-licensing: configuration error: {error.Message}");
            return 2;
        }
        catch (LicensingStartupException error)
        {
            await Console.Error.WriteLineAsync($"orleans-licensing: start-up error: {error.Message}");
            return 2;
        }
        try
        {
            await app.StartAsync();
        }
        catch (Exception error)
        {
            await StopAfterFailedStartAsync(app);
            await Console.Error.WriteLineAsync($"orleans-licensing: start-up error: {StartupChecks.Describe(error)}");
            return 2;
        }
        app.LogWhereToFind();
        // A stop cut short (the database unreachable) leaves the host undisposed: disposing it would wait for the abandoned stop.
        if (await GracefulStop.WaitForShutdownAsync(app)) await app.DisposeAsync();
        return 0;
    }

    /// <summary>Stops what did start (the silo leaves the cluster), within bounds: the process is exiting anyway.</summary>
    private static async Task StopAfterFailedStartAsync(WebApplication app)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
        }
        catch (Exception)
        {
            // Already failing; the start-up error line is what the operator needs.
        }
    }

    /// <summary>Validates configuration, prepares the data directory and schema, and builds the host.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args)
    {
        // The application name is this assembly even when a test host builds it, so MVC finds the controllers here.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });
        LoggingRules.AddShippedSettings(builder.Configuration, builder.Environment.ContentRootPath);
        LoggingRules.Validate(builder.Configuration);
        ConfigurationKeys.Licensing.EnsureKnown(builder.Configuration);
        var settings = LicensingSettings.Load(builder.Configuration);
        var observability = ObservabilityOptions.Load(builder.Configuration);
        var secrets = GeneratedSecrets.LoadOrCreate(settings);

        var urls = builder.Configuration["urls"];
        if (string.IsNullOrEmpty(urls))
        {
            urls = LicensingSettings.DefaultUrl;
            builder.WebHost.UseUrls(urls);
        }
        StartupChecks.EnsureOwnPortsDiffer(urls, settings.Orleans.SiloPort, settings.Orleans.GatewayPort, observability.Metrics.Port);
        builder.AddLicensingTelemetry(observability);

        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddConsole()))
        {
            var startup = loggerFactory.CreateLogger("OrleansLicensing.Startup");
            if (secrets.NewlyGeneratedOperatorTokenPath is { } tokenPath)
            {
                startup.LogWarning(
                    "Generated operator token (shown once; kept in {Path}): {OperatorToken}  Use it as 'Authorization: Bearer <token>' on /admin/v1.",
                    tokenPath, secrets.OperatorToken);
            }
            try
            {
                await SchemaMigrator.ApplyAsync(settings, startup);
            }
            catch (Exception error) when (error is System.Data.Common.DbException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw settings.Provider == StorageProvider.Sqlite
                    ? StartupChecks.SqliteUnusable(settings.SqliteDatabasePath, error)
                    : new LicensingStartupException($"cannot prepare the {settings.Provider} database: {StartupChecks.OneLine(error.Message)}");
            }
            if (settings.Provider == StorageProvider.Sqlite) await StartupChecks.EnsureSqliteWritableAsync(settings);
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(secrets);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new SecretProtector(services.GetRequiredService<GeneratedSecrets>().MasterKey));
        builder.Services.AddSingleton<AuthSettings>();
        builder.Services.AddSingleton<AppMaterialCache>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Licenses.LicenseIndex>();
        // The application services behind /v1, /admin/v1 and the web console (one code path per rule).
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.ApiKeyAuthenticator>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Licenses.LicenseService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Apps.AppService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Account.ApiKeyService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Account.CreditLedgerService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Webhooks.WebhookService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Apps.AuthLogService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Apps.AppSettingsService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Apps.AppKeyService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Developer.Licenses.Offline.OfflineFileService>();
        builder.Services.AddSingleton<OrleansLicensing.Server.Operator.AccountAdministration>();
        builder.Services.Configure<OrleansLicensing.Accounts.AccountOptions>(o =>
        {
            o.CreditsLowThreshold = settings.Licensing.Webhooks.CreditsLowThreshold;
            o.GroupCommitWindow = settings.Licensing.Storage.GroupCommitWindow;
            o.GroupCommitBatch = settings.Licensing.Storage.GroupCommitBatch;
            o.HeartbeatCounterBatch = settings.Licensing.Storage.HeartbeatCounterBatch;
        });
        builder.Services.Configure<OrleansLicensing.Licenses.LicenseOptions>(o => o.LastSeenFlushInterval = settings.Licensing.Storage.LastSeenFlushInterval);
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<Idempotency>();
        builder.Services.AddAuthLog();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = GracefulStop.ShutdownTimeout);
        builder.UseOrleans(silo =>
        {
            silo.ConfigureLicensingSilo(settings);
            silo.AddLicensingDashboard(observability);
        });
        // Every periodic job, once (after the silo, so the jobs that call grains start with it serving).
        builder.Services.AddLicensingBackgroundJobs(settings.Provider);
        // The /auth edge's silo-local state (docs/design.md, "The request path"): the cached app and
        // account views (which the silo's invalidation grain drops), the per-app and per-IP buckets,
        // and buffered session records. Registered after the silo so the views replace its no-op cache.
        builder.Services.AddSingleton<AuthViews>();
        builder.Services.AddSingleton<OrleansLicensing.Views.IAuthViewCache>(s => s.GetRequiredService<AuthViews>());
        builder.Services.AddSingleton<LocalRateLimits>();
        builder.Services.AddSingleton(s => new GrainCallsPerRequest(s.GetRequiredService<OrleansLicensing.Diagnostics.LicensingMetrics>(), observability.Metrics.GrainCallsSampling));
        // Without sampling nothing is counted, and no filter sits in the way of every grain call.
        if (observability.Metrics.GrainCallsSampling > 0)
        {
            builder.Services.AddSingleton<IOutgoingGrainCallFilter>(s => s.GetRequiredService<GrainCallsPerRequest>());
        }
        builder.Services.AddSingleton<SessionActivityBuffer>();
        builder.Services.AddSingleton<AuthEndpoints>();
        builder.Services.AddHostedService(s => s.GetRequiredService<SessionActivityBuffer>());

        builder.Services.AddLicensingConsole();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddLicensingHealthChecks();
        builder.Services.AddLicensingOpenApi();
        builder.Services
            .AddControllers(o =>
            {
                o.SuppressImplicitRequiredAttributeForNonNullableReferenceTypes = true;
            })
            .AddJsonOptions(o => JsonDefaults.Apply(o.JsonSerializerOptions))
            .AddRequestBodyNullRule()
            .ConfigureApiBehaviorOptions(o =>
            {
                o.InvalidModelStateResponseFactory = ErrorResponses.InvalidModelState;
                o.SuppressMapClientErrors = true; // bodiless 4xx are given the JSON error shape by UseJsonErrorPages
            });

        var app = builder.Build();
        app.UseRequestIds();
        app.UseNoDotSegments();
        app.UseRequestObserver();
        app.UseIdempotency(); // outside the exception handler: it stores the final response, error bodies included
        app.UseExceptionHandler();
        app.UseJsonErrorPages();
        app.UseManagementBodyLimit();
        app.UseUtf8JsonBodies();
        app.UseAuthPaths(settings.Licensing.Auth.PathPrefix);
        app.MapLicensingTelemetry();
        app.UseConsoleHeaders();
        app.MapLicensingHealth();
        app.MapLicensingDocs();
        AuthEndpoints.MapAuthEndpoints(app, settings.Licensing.Auth.PathPrefix);
        app.MapControllers();
        app.MapLicensingConsole();
        app.UseConsistentRouteLabels(); // after the last Map…: http_route and the request log spell every route alike
        return app;
    }
}
