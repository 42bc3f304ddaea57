using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OrleansLicensing.Server.Hosting.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The server executable stopped by SIGTERM on PostgreSQL, reachable and not.</summary>
public sealed class GracefulStopTests
{
    private sealed record Stop(int ExitCode, TimeSpan Took, string Output);

    [Fact]
    public async Task A_stop_while_PostgreSQL_is_unreachable_ends_within_fifteen_seconds()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var target = new NpgsqlConnectionStringBuilder(database);
        await using var relay = new TcpRelay(target.Host!, target.Port);
        target.Host = "127.0.0.1";
        target.Port = relay.Port;

        var stop = await StartThenStopAsync(target.ConnectionString, $"test-{Guid.NewGuid():N}", relay.Cut);

        // Before: about two minutes (Orleans retries the membership row's ShuttingDown and Dead writes for a minute each).
        Assert.True(stop.Took < TimeSpan.FromSeconds(15), $"the stop took {stop.Took}: {stop.Output}");
        Assert.Equal(0, stop.ExitCode);
        Assert.Contains("The PostgreSql database does not answer while the server stops", stop.Output);
    }

    [Fact]
    public async Task A_stop_with_PostgreSQL_reachable_still_leaves_the_cluster_in_full()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var clusterId = $"test-{Guid.NewGuid():N}";

        var stop = await StartThenStopAsync(database, clusterId, beforeStop: () => { });

        Assert.Equal(0, stop.ExitCode);
        Assert.DoesNotContain("does not answer", stop.Output);
        Assert.DoesNotContain("cut short", stop.Output);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT status FROM licensing_membership WHERE deployment_id = @id", connection);
        command.Parameters.AddWithValue("id", clusterId);
        Assert.Equal(6, (int)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!); // SiloStatus.Dead: it said goodbye
    }

    /// <summary>Starts the executable on <paramref name="connectionString"/>, waits until it is ready, runs <paramref name="beforeStop"/>, sends SIGTERM and times the exit.</summary>
    private static async Task<Stop> StartThenStopAsync(string connectionString, string clusterId, Action beforeStop)
    {
        using var data = new TempDirectory("graceful-stop");
        var http = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in new[]
                 {
                     $"--urls=http://127.0.0.1:{http}", $"--Licensing:DataDirectory={data.Path}",
                     $"--Orleans:SiloPort={FreePorts.Next()}", $"--Orleans:GatewayPort={FreePorts.Next()}",
                     $"--Orleans:ClusterId={clusterId}", "--Orleans:AdvertisedIPAddress=127.0.0.1",
                     "--Licensing:Storage:Provider=PostgreSql", $"--ConnectionStrings:Licensing={connectionString}",
                     $"--Licensing:MasterKey={LicensingTestHost.MasterKey}", $"--Licensing:OperatorToken={LicensingTestHost.OperatorToken}",
                     "--Licensing:Auth:SessionTokenSecrets:0=test-session-token-secret-0123456789abcdef",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.True(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"the server exited ({process.ExitCode}): {string.Join('\n', output)}");
                try { return (await client.GetAsync("/health/ready", TestContext.Current.CancellationToken)).IsSuccessStatusCode; }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException) { return false; }
            }, TimeSpan.FromSeconds(90), () => Task.FromResult($"the server was not ready: {string.Join('\n', output)}"));

            beforeStop();
            var stopwatch = Stopwatch.StartNew();
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync(TestContext.Current.CancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(150));
            await process.WaitForExitAsync(deadline.Token);
            return new Stop(process.ExitCode, stopwatch.Elapsed, string.Join('\n', output));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
