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
