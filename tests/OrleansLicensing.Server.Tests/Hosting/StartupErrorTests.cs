using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>Every start-up problem of the real executable: one line on stderr naming the cause, exit code 2.</summary>
public sealed class StartupErrorTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(90);

    private sealed record Exit(int Code, string[] ErrorLines, string Output);

    /// <summary>Runs the server executable until it exits (or the deadline kills it).</summary>
    private static async Task<Exit> RunServerAsync(string dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add($"--Licensing:DataDirectory={dataDirectory}");
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(ExitDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the server did not exit within {ExitDeadline}; stdout: {await stdout}");
        }
        var errors = await stderr;
        return new Exit(process.ExitCode, errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), await stdout + errors);
    }

    private static string AssertOneStartupErrorLine(Exit exit)
    {
        Assert.True(exit.Code == 2, $"exit code {exit.Code}; output: {exit.Output}");
        var line = Assert.Single(exit.ErrorLines);
        Assert.StartsWith("orleans-licensing: start-up error: ", line);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", exit.Output); // no stack frame, not even in the log
        Assert.DoesNotContain("Exception", exit.Output);
        return line;
    }

    private static TcpListener Occupy(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    [Fact]
    public async Task A_busy_http_port_stops_the_server_with_one_line_naming_the_port()
    {
        using var data = new TempDirectory("startup");
        using var taken = Occupy(out var port);

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{port}",
            $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        var line = AssertOneStartupErrorLine(exit);
        Assert.Contains($"HTTP port {port} is already in use", line);
    }

    [Fact]
    public async Task A_busy_metrics_port_is_named_as_the_metrics_port()
    {
        using var data = new TempDirectory("busy-metrics");
        using var taken = Occupy(out var port);

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{FreePorts.Next()}", $"--Licensing:Metrics:Port={port}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Equal($"orleans-licensing: start-up error: metrics port {port} is already in use (http://127.0.0.1:{port}; Licensing:Metrics:Port)", AssertOneStartupErrorLine(exit));
    }

    [Fact]
    public async Task A_busy_http_port_is_found_for_localhost_urls_too()
    {
        using var data = new TempDirectory("startup");
        using var taken = Occupy(out var port);

        var exit = await RunServerAsync(data.Path, $"--urls=http://localhost:{port}",
            $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Contains($"HTTP port {port} is already in use (http://localhost:{port})", AssertOneStartupErrorLine(exit));
    }

    [Fact]
    public async Task A_busy_silo_port_stops_the_server_instead_of_sharing_the_port()
    {
        using var data = new TempDirectory("startup");
        using var taken = Occupy(out var port);

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{FreePorts.Next()}",
            $"--Orleans:SiloPort={port}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        var line = AssertOneStartupErrorLine(exit);
        Assert.Contains($"silo port {port} is already in use", line);
        Assert.Contains("Orleans:SiloPort", line);
    }

    [Fact]
    public async Task A_busy_gateway_port_stops_the_server_with_one_line_naming_the_port()
    {
        using var data = new TempDirectory("startup");
        using var taken = Occupy(out var port);

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{FreePorts.Next()}",
            $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={port}");

        var line = AssertOneStartupErrorLine(exit);
        Assert.Contains($"gateway port {port} is already in use", line);
        Assert.Contains("Orleans:GatewayPort", line);
    }

    [Fact]
    public async Task An_unreachable_database_stops_the_server_with_one_line_after_the_startup_wait()
    {
        using var data = new TempDirectory("startup");
        var nothingListens = FreePorts.Next();

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{FreePorts.Next()}",
            $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}",
            "--Licensing:Storage:Provider=PostgreSql",
            $"--ConnectionStrings:Licensing=Host=127.0.0.1;Port={nothingListens};Username=postgres;Timeout=2",
            "--Licensing:Storage:StartupWait=00:00:02",
            $"--Licensing:MasterKey={LicensingTestHost.MasterKey}",
            $"--Licensing:OperatorToken={LicensingTestHost.OperatorToken}",
            "--Licensing:Auth:SessionTokenSecrets:0=test-session-token-secret-0123456789abcdef");

        var line = AssertOneStartupErrorLine(exit);
        Assert.Contains("cannot prepare the PostgreSql database", line);
        Assert.Contains($"127.0.0.1:{nothingListens}", line);
    }

    [Fact]
    public async Task A_port_taken_after_the_checks_is_still_described_in_one_line_naming_the_address()
    {
        // The race the up-front check cannot see: Kestrel itself finds the port taken.
        using var data = new TempDirectory("startup");
        using var taken = Occupy(out var port);
        var settings = LicensingTestHost.SqliteSettings(data.Path);
        string[] args =
        [
            .. settings.Select(s => $"--{s.Key}={s.Value}"),
            $"--urls=http://127.0.0.1:{port}",
            $"--Orleans:SiloPort={FreePorts.Next()}",
            $"--Orleans:GatewayPort={FreePorts.Next()}",
            "--Logging:LogLevel:Default=None",
        ];
        await using var app = await Program.BuildAsync(args);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));
        await app.StopAsync(TestContext.Current.CancellationToken);

        var line = StartupChecks.Describe(error);
        Assert.Contains($"http://127.0.0.1:{port}", line);
        Assert.Contains("address already in use", line);
        Assert.DoesNotContain('\n', line);
    }

    private static string AssertOneConfigurationErrorLine(Exit exit)
    {
        Assert.True(exit.Code == 2, $"exit code {exit.Code}; output: {exit.Output}");
        var line = Assert.Single(exit.ErrorLines);
        Assert.StartsWith("orleans-licensing: configuration error: ", line);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", exit.Output);
        return line;
    }

    [Theory]
    [InlineData("--Logging:LogLevel:Default=Loud", "Logging:LogLevel:Default = 'Loud' is invalid")]
    [InlineData("--Logging:Console:LogLevel:Orleans=verbose", "Logging:Console:LogLevel:Orleans = 'verbose' is invalid")]
    [InlineData("--Logging:Console:FormatterName=xml", "Logging:Console:FormatterName = 'xml' is invalid")]
    public async Task A_wrong_logging_value_stops_the_server_with_one_line_naming_the_key(string arg, string expected)
    {
        using var data = new TempDirectory("bad-logging");

        var exit = await RunServerAsync(data.Path, arg, $"--urls=http://127.0.0.1:{FreePorts.Next()}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Contains(expected, AssertOneConfigurationErrorLine(exit));
    }

    [Theory]
    [InlineData("--Licensing:Storage:Provder=PostgreSql", "Licensing:Storage:Provder is not a setting of this server; did you mean Licensing:Storage:Provider?")]
    [InlineData("--Licensing:Auth:SesionTokenSecrets:0=0123456789abcdef0123456789abcdef", "Licensing:Auth:SesionTokenSecrets:0 is not a setting of this server; did you mean Licensing:Auth:SessionTokenSecrets:0?")]
    public async Task A_misspelt_Licensing_key_stops_the_server_with_one_line_naming_it_and_the_nearest_setting(string arg, string expected)
    {
        using var data = new TempDirectory("misspelt-key");

        var exit = await RunServerAsync(data.Path, arg, $"--urls=http://127.0.0.1:{FreePorts.Next()}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Equal($"orleans-licensing: configuration error: {expected}", AssertOneConfigurationErrorLine(exit));
        Assert.False(File.Exists(Path.Combine(data.Path, "licensing.db")), "nothing was created before the configuration was checked");
    }

    [Fact]
    public async Task A_SQLite_database_that_cannot_be_written_stops_the_server_with_one_line_naming_its_path()
    {
        // Root (as CI runs) writes whatever the file permissions say; SQLite itself refuses to write a
        // database whose header asks for a newer writer (byte 18, the write version, above 2), and opens
        // it read-only the way it opens a file on a read-only mount: reads pass, every write fails.
        using var data = new TempDirectory("read-only-db");
        var database = Path.Combine(data.Path, "licensing.db");
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, StorageConnections.Sqlite(database), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            cancellationToken: TestContext.Current.CancellationToken);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the last connection checkpoints and removes the WAL
        Assert.False(File.Exists(database + "-wal"));
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 18;
            file.WriteByte(3);
        }

        var exit = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{FreePorts.Next()}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Equal(
            $"orleans-licensing: start-up error: the SQLite database {database} cannot be opened for writing (SQLite Error 8: 'attempt to write a readonly database'): the file, and its directory (where SQLite keeps the -wal and -shm files), must be writable by this process",
            AssertOneStartupErrorLine(exit));
    }

    [Fact]
    public async Task Two_of_the_servers_own_ports_on_one_port_stop_it_before_anything_binds()
    {
        using var data = new TempDirectory("port-clash");
        var port = FreePorts.Next();

        var metrics = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{port}", $"--Licensing:Metrics:Port={port}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}");
        var silo = await RunServerAsync(data.Path, $"--urls=http://127.0.0.1:{port}", $"--Orleans:SiloPort={port}", $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.Contains($"Licensing:Metrics:Port and the HTTP address http://127.0.0.1:{port} use the same port {port}", AssertOneConfigurationErrorLine(metrics));
        Assert.Contains($"Orleans:SiloPort and the HTTP address http://127.0.0.1:{port} use the same port {port}", AssertOneConfigurationErrorLine(silo));
    }

    [Fact]
    public async Task Started_from_another_directory_the_shipped_log_levels_still_apply()
    {
        using var data = new TempDirectory("elsewhere");
        using var workingDirectory = new TempDirectory("cwd");
        var http = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory.Path };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in new[] { $"--Licensing:DataDirectory={data.Path}", $"--urls=http://127.0.0.1:{http}", $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
            await Eventually.True(async () =>
            {
                try { return (await client.GetAsync("/health/ready", TestContext.Current.CancellationToken)).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(60), () => Task.FromResult("the server never became ready"));
            using var _ = await client.GetAsync("/v1/licenses/ABCD-EFGH-JKLM-NPQR", TestContext.Current.CancellationToken);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        var output = await stdout + await stderr;

        // appsettings.json keeps ASP.NET Core's per-request lines (with the license key in the path) and Orleans' option dumps out.
        Assert.DoesNotContain("ABCD-EFGH-JKLM-NPQR", output);
        Assert.DoesNotContain("Request starting", output);
        Assert.DoesNotContain("Configuration Orleans.Configuration", output);
    }

    [Fact]
    public void The_check_refuses_an_address_another_process_listens_on_and_passes_a_free_one()
    {
        using var taken = Occupy(out var port);

        Assert.Throws<LicensingStartupException>(() => CheckUrl($"http://127.0.0.1:{port}"));
        CheckUrl($"http://127.0.0.1:{FreePorts.Next()}");
        CheckUrl("http://127.0.0.1:0");
    }

    private static void CheckUrl(string url)
    {
        var builder = WebApplication.CreateBuilder([$"--urls={url}"]);
        builder.Services.Configure<Orleans.Configuration.EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = IPAddress.Loopback;
            o.SiloPort = FreePorts.Next();
            o.GatewayPort = FreePorts.Next();
        });
        using var app = builder.Build();
        StartupChecks.EnsureAddressesAreFree(app);
    }
}
