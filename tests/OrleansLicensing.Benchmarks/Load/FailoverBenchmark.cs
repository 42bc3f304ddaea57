using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace OrleansLicensing.Benchmarks.Load;

/// <summary>
/// A silo dying under load (scripts/bench-failover.sh): three silos on PostgreSQL, validates of bound
/// HWIDs spread over the three, one silo killed with SIGKILL and restarted later on the same ports.
/// Prints what the surviving silos answered while it was down (system_error above all), how long the
/// restarted silo took to be ready, the exact credit check, and the replay check (nonces a request
/// used on the killed silo before the kill are refused afterwards).
/// </summary>
public static class FailoverBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Optional(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        string Value(string name, string? fallback = null) => Optional(name) ?? fallback ?? throw new ArgumentException($"{name} is required");
        int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var serverDll = Value("--server-dll");
        var work = Value("--work");
        var postgres = Value("--postgres");
        var runner = new WrkRunner(Value("--wrk", "wrk"), Value("--script"), work);
        var licensesPerSilo = Number("--licenses", 300);
        var connections = Number("--connections", 42) / 3;
        var killAt = TimeSpan.FromSeconds(Number("--kill-at", 10));
        var restartAt = TimeSpan.FromSeconds(Number("--restart-at", 25));
        var duration = TimeSpan.FromSeconds(Number("--duration", 40));

        var operatorToken = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var shared = new Dictionary<string, string>
        {
            ["Licensing__OperatorToken"] = operatorToken,
            ["Licensing__Storage__Provider"] = "PostgreSql",
            // Three silos share one PostgreSQL (max_connections 200 in scripts/postgres.sh): each gets a bounded pool.
            ["ConnectionStrings__Licensing"] = postgres.TrimEnd(';') + ";Maximum Pool Size=50",
            ["Licensing__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Licensing__Auth__SessionTokenSecrets__0"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Licensing__Api__RateLimits__Burst"] = "0",
            ["Licensing__Api__RateLimits__PerSecond"] = "0",
            ["Orleans__ClusterId"] = "failover" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var name in new[] { "ValidatePerLicensePerMinute", "ValidatePerIpPerMinute", "HeartbeatPerLicensePerMinute", "AppBurst", "AppPerSecond" })
        {
            shared[$"Licensing__Auth__RateLimits__{name}"] = "0";
        }
        var silos = new BenchServer?[3];
        var environments = new Dictionary<string, string>[3];
        var httpPorts = new int[3];
        for (var i = 0; i < 3; i++)
        {
            httpPorts[i] = BenchServer.FreePort();
            environments[i] = new Dictionary<string, string>(shared)
            {
                ["Licensing__DataDirectory"] = Path.Combine(work, $"silo{i}"),
                ["Orleans__SiloPort"] = BenchServer.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = BenchServer.FreePort().ToString(CultureInfo.InvariantCulture),
            };
        }
        Task<BenchServer> Start(int i) => BenchServer.StartAsync(serverDll, environments[i], Path.Combine(work, $"silo{i}.log"), httpPorts[i]);

        try
        {
            for (var i = 0; i < 3; i++) silos[i] = await Start(i);
            Console.WriteLine($"failover: 3 silos on PostgreSQL ready; seeding {3 * licensesPerSilo:N0} bound licenses");
            var seed = new BenchSeed(silos[0]!.Url, operatorToken);
            var account = await seed.CreateAccountAsync("failover");
            var (appId, secret) = await seed.CreateAppAsync(account, "failover", "hmac-v1");
            var files = new string[3];
            var all = new List<SeededLicense>();
            for (var i = 0; i < 3; i++)
            {
                var bound = await seed.BindAsync(appId, secret, await seed.CreateLicensesAsync(account, appId, licensesPerSilo), $"hw-failover-{i}");
                all.AddRange(bound);
                files[i] = Path.Combine(work, $"failover-{i}.tsv");
                BenchSeed.WriteDataFile(files[i], bound);
            }
            var before = await seed.CreditsAsync([account]);

            // Requests with known nonces, answered by the silo that will die: replayed after the failover.
            using var doomed = new HttpClient { BaseAddress = new Uri(silos[2]!.Url) };
            var replays = new List<(SeededLicense License, string Nonce)>();
            foreach (var license in all.Take(50))
            {
                var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                if (await ValidateAsync(doomed, license, nonce) == "success") replays.Add((license, nonce));
            }

            // Three phases, each a separate wrk run per silo so that every answer is counted in its phase:
            // all three up; silo 3 killed (load on the survivors only); silo 3 restarting and back.
            var phases = new List<(string Name, WrkResult[] Results)>();
            phases.Add(("all up", await Task.WhenAll(Enumerable.Range(0, 3).Select(i => runner.RunAsync(silos[i]!.Url, "validate", files[i], connections, killAt)))));
            silos[2]!.Kill();
            Console.WriteLine("killed silo 3 (SIGKILL)");
            phases.Add(("silo 3 down", await Task.WhenAll(Enumerable.Range(0, 2).Select(i => runner.RunAsync(silos[i]!.Url, "validate", files[i], connections, restartAt - killAt)))));
            var restarting = Stopwatch.StartNew();
            var restart = Start(2);
            var back = Task.WhenAll(Enumerable.Range(0, 2).Select(i => runner.RunAsync(silos[i]!.Url, "validate", files[i], connections, duration - restartAt)));
            silos[2] = await restart;
            var readyAfter = restarting.Elapsed;
            Console.WriteLine($"restarted silo 3: ready (/health/ready 200) after {readyAfter.TotalSeconds:N1} s");
            phases.Add(("silo 3 restarted", await back));

            Console.WriteLine();
            Console.WriteLine("| phase | silo | requests | ok | errors | p99 ms | max ms | failure codes |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (name, phase) in phases)
            {
                for (var i = 0; i < phase.Length; i++)
                {
                    var r = phase[i];
                    Console.WriteLine($"| {name} | {i + 1} | {r.Requests:N0} | {r.Ok:N0} | {r.Errors:N0} | {r.P99Ms:N1} | {r.MaxMs:N0} | {r.Codes}{(r.SocketErrors > 0 ? $" socket={r.SocketErrors}" : "")} |");
                }
            }
            var down = phases[1].Results;
            var downRequests = down.Sum(r => r.Requests);
            var downSystemErrors = down.Sum(r => CodeCount(r.Codes, "system_error"));
            Console.WriteLine($"- while silo 3 was down the surviving silos answered {downRequests:N0} requests: system_error {downSystemErrors:N0} ({100.0 * downSystemErrors / Math.Max(1, downRequests):N2} %), all errors {down.Sum(r => r.Errors):N0}");
            Console.WriteLine($"- restarted silo ready after {readyAfter.TotalSeconds:N1} s (under the survivors' load)");
            var results = phases.SelectMany(p => p.Results).ToArray();

            // Every success debited once; a request the killed silo committed but never answered also debited.
            using var replay = new HttpClient { BaseAddress = new Uri(silos[0]!.Url) };
            var replayed = 0;
            foreach (var (license, nonce) in replays)
            {
                if (await ValidateAsync(replay, license, nonce) == "replay_detected") replayed++;
            }
            Console.WriteLine($"- replay check: {replayed} of {replays.Count} nonces answered by the killed silo before the kill are refused after it{(replayed == replays.Count ? "" : " — FAILED")}");
            var after = await seed.CreditsAsync([account]);
            var successes = results.Sum(r => r.Ok) + replays.Count;
            var spent = before - after;
            Console.WriteLine($"- credits: {spent:N0} spent for {successes:N0} successful validates seen by clients; the kill came between two runs, so no answered request is missing: {(spent == successes ? "exact" : "MISMATCH — FAILED")}");
            return replayed == replays.Count && spent == successes ? 0 : 1;
        }
        finally
        {
            foreach (var silo in silos) if (silo is not null) await silo.DisposeAsync();
        }
    }

    private static long CodeCount(string codes, string code)
    {
        foreach (var part in codes.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=');
            if (pair.Length == 2 && pair[0] == code) return long.Parse(pair[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    private static async Task<string> ValidateAsync(HttpClient http, SeededLicense license, string nonce)
    {
        using var response = await http.PostAsJsonAsync("/auth/validate", new { appId = license.AppId, appSecret = license.AppSecret, licenseKey = license.LicenseKey, hwid = license.Hwid, nonce });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("status").GetString() == "success" ? "success" : body.RootElement.GetProperty("error").GetString() ?? "";
    }
}
