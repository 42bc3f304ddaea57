using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Benchmarks.Load;

/// <summary>
/// The hot-path benchmark of scripts/bench.sh: starts the Release server, seeds through the API,
/// drives load with wrk (a separate process) and prints one table with every figure also given as
/// a ratio to <c>GET /health/live</c> on the same server in the same run. All auth load debits ONE
/// developer account (the hot-account case) except the row that spreads it for comparison; the
/// credit balance is checked exactly after every row.
/// </summary>
public static class AuthLoadBenchmark
{
    /// <summary>The server's <c>HeartbeatBillingInterval</c> for the run; the credit check bills by it.</summary>
    internal const int BillingInterval = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadOptions.Parse(args);
        Directory.CreateDirectory(options.Work);
        var report = new LoadReport(options);
        var environment = ServerEnvironment(options, limitsOn: true);

        var productBaseline = 0.0;
        Console.WriteLine($"bench: {options.Engine}, {Environment.ProcessorCount} cores, wrk with {options.Connections} connections, {options.Duration.TotalSeconds:N0} s per run");
        var server = await BenchServer.StartAsync(options.ServerDll, environment, Path.Combine(options.Work, "server.log"));
        try
        {
            var seed = new BenchSeed(server.Url, options.OperatorToken);
            var seeding = Stopwatch.StartNew();
            var hot = await seed.CreateAccountAsync("hot account");
            var bound = new Dictionary<string, string>();
            foreach (var scheme in new[] { "ed25519", "hmac-v1", "hmac-v2" })
            {
                var (appId, secret) = await seed.CreateAppAsync(hot, $"bench {scheme}", scheme);
                var keys = await seed.CreateLicensesAsync(hot, appId, options.BoundLicenses);
                bound[scheme] = Path.Combine(options.Work, $"bound-{scheme}.tsv");
                BenchSeed.WriteDataFile(bound[scheme], await seed.BindAsync(appId, secret, keys, $"hw-{scheme}"));
            }
            var spreadAccounts = new List<SeededAccount>();
            var spread = new List<SeededLicense>();
            for (var i = 0; i < 16; i++)
            {
                var account = await seed.CreateAccountAsync($"spread {i}");
                spreadAccounts.Add(account);
                var (appId, secret) = await seed.CreateAppAsync(account, $"spread {i}", "ed25519");
                spread.AddRange(await seed.BindAsync(appId, secret, await seed.CreateLicensesAsync(account, appId, options.BoundLicenses / 16), $"hw-spread-{i}"));
            }
            var spreadFile = Path.Combine(options.Work, "spread.tsv");
            BenchSeed.WriteDataFile(spreadFile, spread);
            var (onceApp, onceSecret) = await seed.CreateAppAsync(hot, "bench activation", "ed25519");
            var onceFile = Path.Combine(options.Work, "once.tsv");
            BenchSeed.WriteDataFile(onceFile, BenchSeed.Unbound(onceApp, onceSecret, await seed.CreateLicensesAsync(hot, onceApp, options.Includes("binding a new HWID") ? options.OnceLicenses : 0), "hw-once"));
            Console.WriteLine($"seeded through the API in {seeding.Elapsed.TotalSeconds:N0} s: {3 * options.BoundLicenses + spread.Count:N0} bound licenses, {options.OnceLicenses:N0} unbound");

            // A restart after seeding: every grain starts cold, as after a deploy, and the rows below do
            // not pay for collecting the seed's activations. The 100,000 licenses are then activated by
            // their own row only.
            await server.DisposeAsync();
            server = await BenchServer.StartAsync(options.ServerDll, environment, Path.Combine(options.Work, "server.log"));
            seed = new BenchSeed(server.Url, options.OperatorToken);

            var accounts = new List<SeededAccount> { hot };
            accounts.AddRange(spreadAccounts);
            var probe = new StorageProbe(options.Sqlite, options.Postgres);
            var runner = new WrkRunner(options.Wrk, options.Script, options.Work);
            var credits = new CreditCheck(seed, accounts, await seed.CreditsAsync(accounts));
            var scenarios = new ScenarioRunner(runner, server, report, credits, options) { AllocatedBytes = seed.AllocatedBytesAsync, JitSeconds = seed.JitSecondsAsync };

            await scenarios.BaselineAsync("baseline: GET /health/live");
            productBaseline = scenarios.Baseline;

            // Bound-HWID validates: the storage writes of the three rows are counted together, after
            // the licenses' lazy observability flush (once a minute) has had time to land.
            var countWrites = options.Includes("validate, bound HWID");
            var writesBefore = await probe.ReadAsync();
            long boundValidates = 0;
            foreach (var scheme in new[] { "ed25519", "hmac-v1", "hmac-v2" })
            {
                boundValidates += await scenarios.RunAsync($"validate, bound HWID, {scheme}", "validate", bound[scheme], Debit.PerSuccess);
            }
            if (countWrites)
            {
                Console.WriteLine("waiting 70 s for lazy license writes before counting storage writes …");
                await Task.Delay(TimeSpan.FromSeconds(70));
                var writesAfter = await probe.ReadAsync();
                report.Writes(boundValidates, writesAfter.WritesSince(writesBefore), writesAfter.AuthLogRows - writesBefore.AuthLogRows);
            }

            // Heartbeats: the silo's counter-journal writes (from /metrics) and the grain-state writes
            // (the account's, for billable heartbeats) of the three rows, counted together.
            const string CounterWrites = "licensing_heartbeat_counts_batch_size_count";
            var counterWritesBefore = await seed.MetricAsync(CounterWrites);
            var heartbeatStateBefore = await probe.ReadAsync();
            long heartbeats = 0;
            foreach (var scheme in new[] { "ed25519", "hmac-v1", "hmac-v2" })
            {
                heartbeats += await scenarios.RunAsync($"heartbeat, {scheme}", "heartbeat", bound[scheme], Debit.BilledHeartbeats);
            }
            if (heartbeats > 0)
            {
                var counterWrites = await seed.MetricAsync(CounterWrites) - counterWritesBefore is { } written ? (long?)written : null;
                report.HeartbeatWrites(heartbeats, counterWrites, (await probe.ReadAsync()).WritesSince(heartbeatStateBefore));
            }
            // The same load spread over 16 accounts: each account's batches are smaller, so more writes.
            var spreadBefore = await probe.ReadAsync();
            var spreadValidates = await scenarios.RunAsync("validate, ed25519, load over 16 accounts", "validate", spreadFile, Debit.PerSuccess);
            if (spreadValidates > 0)
            {
                var spreadAfter = await probe.ReadAsync();
                report.Writes(spreadValidates, spreadAfter.WritesSince(spreadBefore), spreadAfter.AuthLogRows - spreadBefore.AuthLogRows,
                    "validate over 16 accounts (the licenses' once-a-minute writes not waited for)");
            }
            await scenarios.RunAsync("GET /v1/licenses/{key}", "license", bound["ed25519"], Debit.None, bearer: hot.ApiKey);

            // 100,000 distinct licenses, each validated once (binds its HWID and activates its grain).
            if (options.Includes("binding a new HWID"))
            {
                var idle = server.ResidentBytes();
                await scenarios.RunAsync($"validate binding a new HWID ({options.OnceLicenses:N0} licenses once)", "once", onceFile, Debit.PerSuccess, paced: false);
                var loaded = server.ResidentBytes();
                Console.WriteLine($"waiting for the activations to be collected (collection age {options.CollectionAge.TotalSeconds:N0} s) …");
                var deadline = Stopwatch.StartNew();
                var settled = loaded;
                while (deadline.Elapsed < options.CollectionAge + TimeSpan.FromSeconds(100))
                {
                    await Task.Delay(TimeSpan.FromSeconds(10));
                    settled = server.ResidentBytes();
                }
                report.Memory(options.OnceLicenses, idle, loaded, settled);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }

        if (options.FloorDll is { } floorDll && options.Postgres is null) // no storage: once, with the SQLite table
        {
            await FloorRowsAsync(options, floorDll, report, productBaseline);
        }

        // The limiter's own cost: the same validate with every /auth limit switched off.
        if (!options.Includes("limits off"))
        {
            report.Print();
            return report.AllChecksPassed ? 0 : 1;
        }
        var unlimited = await BenchServer.StartAsync(options.ServerDll, ServerEnvironment(options, limitsOn: false), Path.Combine(options.Work, "server.log"));
        try
        {
            var runner = new WrkRunner(options.Wrk, options.Script, options.Work);
            var unlimitedSeed = new BenchSeed(unlimited.Url, options.OperatorToken);
            var scenarios = new ScenarioRunner(runner, unlimited, report, null, options) { AllocatedBytes = unlimitedSeed.AllocatedBytesAsync, JitSeconds = unlimitedSeed.JitSecondsAsync };
            await scenarios.BaselineAsync("baseline again, limits off (restart)");
            await scenarios.RunAsync("validate, bound HWID, ed25519, limits off", "validate", Path.Combine(options.Work, "bound-ed25519.tsv"), Debit.PerSuccess, paced: false);
        }
        finally
        {
            await unlimited.DisposeAsync();
        }

        report.Print();
        return report.AllChecksPassed ? 0 : 1;
    }

    /// <summary>
    /// The compute floor (docs/benchmarks.md): the product's validate code without grains and storage
    /// (tests/OrleansLicensing.Benchmarks.Floor), then with one and two no-op grain calls, as ratios to
    /// the product's <c>GET /health/live</c> of this run. One server start per number of calls.
    /// </summary>
    private static async Task FloorRowsAsync(LoadOptions options, string floorDll, LoadReport report, double productBaseline)
    {
        const string Secret = "floor-secret";
        var data = new Dictionary<string, string>();
        foreach (var scheme in new[] { "ed25519", "hmac-v1" })
        {
            data[scheme] = Path.Combine(options.Work, $"floor-{scheme}.tsv");
            BenchSeed.WriteDataFile(data[scheme], Enumerable.Range(0, options.BoundLicenses).Select(i =>
                new SeededLicense($"floor-{scheme}", Secret, $"FLOOR-{i:D8}", $"hw-floor-{i}", "")));
        }
        var runner = new WrkRunner(options.Wrk, options.Script, options.Work);
        foreach (var (calls, label) in new[] { (0, "no grains"), (1, "1 grain call"), (2, "2 grain calls") })
        {
            var rows = new[] { "ed25519", "hmac-v1" }.Select(scheme => (Scheme: scheme, Name: $"floor: validate, {label}, {scheme}"))
                .Where(row => options.Includes(row.Name)).ToList();
            var ownBaseline = calls == 0 && options.Includes("floor: GET /health/live");
            if (rows.Count == 0 && !ownBaseline) continue;
            var environment = new Dictionary<string, string>
            {
                ["Floor__GrainCalls"] = calls.ToString(CultureInfo.InvariantCulture),
                ["Floor__AppSecret"] = Secret,
                ["DOTNET_gcServer"] = Environment.GetEnvironmentVariable("DOTNET_gcServer") ?? "1",
            };
            var floor = await BenchServer.StartAsync(floorDll, environment, Path.Combine(options.Work, "floor.log"));
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(floor.Url) };
                var scenarios = new ScenarioRunner(runner, floor, report, null, options)
                {
                    Baseline = productBaseline,
                    JitSeconds = async () => double.Parse(await http.GetStringAsync("/bench/jit-seconds"), CultureInfo.InvariantCulture),
                };
                if (ownBaseline) await scenarios.RunAsync("floor: GET /health/live of the floor server", "health", null, Debit.None, paced: false);
                foreach (var (scheme, name) in rows) await scenarios.RunAsync(name, "validate", data[scheme], Debit.None, paced: false);
            }
            finally
            {
                await floor.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, string> ServerEnvironment(LoadOptions options, bool limitsOn)
    {
        var env = new Dictionary<string, string>
        {
            ["Licensing__DataDirectory"] = Path.Combine(options.Work, "data"),
            ["Licensing__OperatorToken"] = options.OperatorToken,
            ["Licensing__Auth__HeartbeatBillingInterval"] = BillingInterval.ToString(CultureInfo.InvariantCulture),
            ["Licensing__Api__RateLimits__Burst"] = "0",
            ["Licensing__Api__RateLimits__PerSecond"] = "0",
            ["Orleans__CollectionAge"] = options.CollectionAge.ToString("c", CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = Environment.GetEnvironmentVariable("DOTNET_gcServer") ?? "1",
        };
        // Raised far above the load (every bucket is still consulted), or off (0) for the limiter row.
        var limit = limitsOn ? "100000000" : "0";
        foreach (var name in new[] { "ValidatePerLicensePerMinute", "ValidatePerIpPerMinute", "HeartbeatPerLicensePerMinute", "AppBurst", "AppPerSecond" })
        {
            env[$"Licensing__Auth__RateLimits__{name}"] = limit;
        }
        if (options.Postgres is { } connection)
        {
            env["Licensing__Storage__Provider"] = "PostgreSql";
            env["ConnectionStrings__Licensing"] = connection;
            env["Licensing__MasterKey"] = options.MasterKey;
            env["Licensing__Auth__SessionTokenSecrets__0"] = options.TokenSecret;
            env["Orleans__ClusterId"] = options.ClusterId;
        }
        return env;
    }
}

/// <summary>How a row's successes move the balance.</summary>
public enum Debit { None, PerSuccess, BilledHeartbeats }

/// <summary>
/// The exact credit check: after each row the summed balance of the benchmark's accounts must equal
/// the initial balance minus successful validates and billed heartbeats (every N-th successful
/// heartbeat of a license, counted per license across rows).
/// </summary>
public sealed class CreditCheck(BenchSeed seed, IReadOnlyList<SeededAccount> accounts, long initial)
{
    private readonly Dictionary<(string File, int Line), long> _heartbeats = [];

    public long Initial { get; } = initial;

    public long Expected { get; private set; } = initial;

    public long Debits(Debit debit, string? file, WrkResult result)
    {
        switch (debit)
        {
            case Debit.PerSuccess:
                return result.Ok;
            case Debit.BilledHeartbeats:
                long billed = 0;
                foreach (var (line, successes) in result.SuccessesPerLine)
                {
                    var before = _heartbeats.GetValueOrDefault((file!, line));
                    var after = before + successes;
                    billed += after / AuthLoadBenchmark.BillingInterval - before / AuthLoadBenchmark.BillingInterval;
                    _heartbeats[(file!, line)] = after;
                }
                return billed;
            default:
                return 0;
        }
    }

    public async Task<(long Expected, long Actual)> ApplyAsync(long debits)
    {
        Expected -= debits;
        return (Expected, await seed.CreditsAsync(accounts));
    }
}

public sealed class ScenarioRunner(WrkRunner wrk, BenchServer server, LoadReport report, CreditCheck? credits, LoadOptions options)
{
    private double _baseline;

    /// <summary>The <c>GET /health/live</c> rate the rows' ratios are taken to.</summary>
    public double Baseline { get => _baseline; init => _baseline = value; }

    /// <summary>The server's managed allocations since start (from <c>/metrics</c>), or <c>null</c> where it does not serve them.</summary>
    public Func<Task<double?>>? AllocatedBytes { get; init; }

    /// <summary>
    /// The server's JIT compilation time since start in seconds (the .NET runtime's
    /// <c>dotnet.jit.compilation.time</c>), or <c>null</c> where it does not serve it. With it, a warm-up
    /// goes on in 1 s runs until the JIT is quiet (<see cref="SettleAsync"/>).
    /// </summary>
    public Func<Task<double?>>? JitSeconds { get; init; }

    /// <summary>JIT time per 1 s warm-up run below which the server's code counts as settled.</summary>
    private static readonly TimeSpan QuietJit = TimeSpan.FromMilliseconds(10);

    /// <summary>At most this much warm-up beyond <c>--warm-up</c> waiting for the JIT to go quiet.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// More unmeasured load, in 1 s runs, while the server's JIT is still compiling: tiered compilation
    /// recompiles a path's hot methods (instrumented, then optimized) for several seconds after the
    /// path first runs, on a background thread that competes with the load on two cores, so a fixed
    /// warm-up of a few seconds let the peak run measure JIT work (up to a quarter of the server's CPU
    /// in its first two seconds, docs/benchmarks.md, stop 32). Returns the runs made.
    /// </summary>
    private async Task<IReadOnlyList<WrkResult>> SettleAsync(string mode, string? file, string? bearer)
    {
        var runs = new List<WrkResult>();
        if (JitSeconds is null || await JitSeconds() is not { } before) return runs;
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < SettleLimit)
        {
            runs.Add(await wrk.RunAsync(server.Url, mode, file, options.Connections, TimeSpan.FromSeconds(1), bearer: bearer));
            if (await JitSeconds() is not { } after) break;
            var compiling = TimeSpan.FromSeconds(after - before);
            before = after;
            if (compiling < QuietJit) break;
        }
        Console.Error.WriteLine($"bench: warm-up went on {(DateTime.UtcNow - started).TotalSeconds:N0} s until the JIT was quiet");
        return runs;
    }

    public async Task BaselineAsync(string name)
    {
        await wrk.RunAsync(server.Url, "health", null, options.Connections, options.WarmUp); // warm-up
        await SettleAsync("health", null, null);
        var cpuBefore = server.CpuSeconds();
        var allocatedBefore = await AllocatedAsync();
        var result = await wrk.RunAsync(server.Url, "health", null, options.Connections, options.Duration);
        var cpu = (server.CpuSeconds() - cpuBefore) / result.Requests;
        var allocated = await AllocatedPerRequestAsync(allocatedBefore, result.Requests);
        _baseline = result.PerSecond;
        report.Row(name, result, _baseline, null, null, cpu, allocated);
    }

    private async Task<double?> AllocatedAsync() => AllocatedBytes is null ? null : await AllocatedBytes();

    /// <summary>Bytes the server allocated per request of a run (the metric is read once before and once after it).</summary>
    private async Task<double?> AllocatedPerRequestAsync(double? before, long requests) =>
        before is { } start && await AllocatedAsync() is { } end && requests > 0 ? (end - start) / requests : null;

    /// <summary>Warm-up, peak run, then (if <paramref name="paced"/>) a run paced at 70 % of the peak rate. Returns every request made.</summary>
    public async Task<long> RunAsync(string name, string mode, string? file, Debit debit, bool paced = true, string? bearer = null)
    {
        if (!options.Includes(name)) return 0;
        var duration = mode == "once" ? TimeSpan.FromMinutes(30) : options.Duration; // "once" ends when every line was sent
        long debits = 0, warmUpRequests = 0;
        if (mode != "once")
        {
            // Unmeasured warm-up: the path's code reaches its optimized tier before the peak run.
            var warmUp = await wrk.RunAsync(server.Url, mode, file, options.Connections, options.WarmUp, bearer: bearer);
            foreach (var run in (WrkResult[])[warmUp, .. await SettleAsync(mode, file, bearer)])
            {
                debits += credits?.Debits(debit, file, run) ?? 0;
                warmUpRequests += run.Requests;
            }
        }
        var cpuBefore = server.CpuSeconds();
        var allocatedBefore = await AllocatedAsync();
        var peak = await wrk.RunAsync(server.Url, mode, file, options.Connections, duration, bearer: bearer);
        var cpu = (server.CpuSeconds() - cpuBefore) / peak.Requests;
        var allocated = await AllocatedPerRequestAsync(allocatedBefore, peak.Requests);
        debits += credits?.Debits(debit, file, peak) ?? 0;
        WrkResult? seventy = null;
        if (paced)
        {
            seventy = await wrk.RunAsync(server.Url, mode, file, options.Connections, duration, rate: 0.7 * peak.PerSecond, bearer: bearer);
            debits += credits?.Debits(debit, file, seventy) ?? 0;
        }
        (long Expected, long Actual)? check = credits is null || debit == Debit.None ? null : await credits.ApplyAsync(debits);
        report.Row(name, peak, _baseline, seventy, check, cpu, allocated);
        return warmUpRequests + peak.Requests + (seventy?.Requests ?? 0);
    }
}

public sealed record LoadOptions(
    string Engine, string ServerDll, string OperatorToken, string Work, string Wrk, string Script,
    string? Sqlite, string? Postgres, int Connections, TimeSpan Duration, int BoundLicenses, int OnceLicenses,
    TimeSpan CollectionAge, string MasterKey, string TokenSecret, string ClusterId, string[] Only, TimeSpan WarmUp, string? FloorDll)
{
    /// <summary>Whether a row runs: all of them unless <c>--only</c> named parts of it (separated by |).</summary>
    public bool Includes(string scenario) => Only.Length == 0 || Only.Any(word => scenario.Contains(word, StringComparison.OrdinalIgnoreCase));

    public static LoadOptions Parse(string[] args)
    {
        string? Optional(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        string Value(string name, string? fallback = null) => Optional(name) ?? fallback ?? throw new ArgumentException($"{name} is required");
        int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var work = Value("--work");
        var postgres = Optional("--postgres");
        return new LoadOptions(
            postgres is null ? "SQLite (embedded default)" : "PostgreSQL",
            Value("--server-dll"), "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), work,
            Value("--wrk", "wrk"), Value("--script"),
            postgres is null ? Path.Combine(work, "data", "licensing.db") : null, postgres,
            Number("--connections", 64), TimeSpan.FromSeconds(Number("--duration", 10)),
            Number("--bound", 1000), Number("--once", 100_000), TimeSpan.FromSeconds(Number("--collection-age", 70)),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            "bench" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            Optional("--only")?.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            // Unmeasured run before each row, long enough for the tiered JIT to finish on 2 busy cores.
            TimeSpan.FromSeconds(Number("--warm-up", 3)),
            Optional("--floor-dll"));
    }
}

/// <summary>Collects the rows and prints the table and the checks.</summary>
public sealed class LoadReport(LoadOptions options)
{
    private readonly List<string> _rows = [];
    private readonly List<string> _checks = [];

    public bool AllChecksPassed { get; private set; } = true;

    public void Row(string name, WrkResult peak, double baseline, WrkResult? seventy, (long Expected, long Actual)? credits, double? cpuPerRequest = null, double? allocatedPerRequest = null)
    {
        var ratio = baseline > 0 ? peak.PerSecond / baseline : 0;
        var paced = seventy is null ? "" : $"{seventy.PerSecond,7:N0} {seventy.P99Ms,6:N2} {seventy.Errors,4}";
        var check = credits is { } c ? (c.Expected == c.Actual ? $"exact ({c.Actual:N0})" : $"MISMATCH expected {c.Expected:N0} got {c.Actual:N0}") : "";
        if (credits is { } m && m.Expected != m.Actual) AllChecksPassed = false;
        var cpu = cpuPerRequest is { } us ? $"{us * 1e6,5:N0}" : "";
        var allocated = allocatedPerRequest is { } bytes ? $"{bytes / 1024,4:N1}" : "";
        var row = $"| {name,-58} | {peak.PerSecond,8:N0} | {ratio,5:P0} | {peak.P50Ms,6:N2} | {peak.P99Ms,6:N2} | {peak.P999Ms,7:N2} | {peak.Errors,6} | {paced,-20} | {cpu,5} | {allocated,8} | {check}";
        if (peak.Codes.Length > 0) row += $" errors: {peak.Codes}";
        if (seventy is { Codes.Length: > 0 }) row += $" errors at 70%: {seventy.Codes}";
        _rows.Add(row);
        Console.WriteLine(row);
    }

    public void Writes(long requests, IReadOnlyDictionary<string, long> writes, long authLogRows, string what = "bound-HWID validate")
    {
        var total = writes.Values.Sum();
        var detail = string.Join(", ", writes.OrderByDescending(w => w.Value).Select(w => $"{w.Key} {w.Value:N0}"));
        _checks.Add($"storage writes per {what}: {(double)total / requests:N4} ({total:N0} grain-state writes for {requests:N0} validates: {detail}); " +
                    $"auth-log rows {authLogRows:N0} ({(double)authLogRows / requests:N2}/request, inserted in batches)");
        Console.WriteLine(_checks[^1]);
    }

    public void HeartbeatWrites(long requests, long? counterWrites, IReadOnlyDictionary<string, long> stateWrites)
    {
        if (counterWrites is not { } counted)
        {
            _checks.Add($"storage writes per heartbeat: not counted (the server does not serve /metrics, where its counter writes are metered); {stateWrites.Values.Sum():N0} grain-state writes for {requests:N0} heartbeats");
            Console.WriteLine(_checks[^1]);
            return;
        }
        var state = stateWrites.Values.Sum();
        var detail = string.Join(", ", stateWrites.OrderByDescending(w => w.Value).Select(w => $"{w.Key} {w.Value:N0}"));
        _checks.Add($"storage writes per heartbeat: {(double)(counted + state) / requests:N4} ({counted:N0} counter writes, " +
                    $"{(double)requests / Math.Max(1, counted):N1} heartbeats each, and {state:N0} grain-state writes{(detail.Length > 0 ? $": {detail}" : "")}, for {requests:N0} heartbeats)");
        Console.WriteLine(_checks[^1]);
    }

    public void Memory(int licenses, long idle, long loaded, long settled)
    {
        _checks.Add($"server RSS: {Mib(idle)} before, {Mib(loaded)} after touching {licenses:N0} licenses, {Mib(settled)} after the activations were collected");
        Console.WriteLine(_checks[^1]);
    }

    public void Print()
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"## {options.Engine}: {Environment.ProcessorCount} cores, load generator (wrk, {options.Connections} connections) on the same machine, {options.Duration.TotalSeconds:N0} s per run");
        sb.AppendLine();
        sb.AppendLine($"| {"scenario",-58} | {"req/s",8} | {"×base",5} | {"p50 ms",6} | {"p99 ms",6} | {"p99.9 ms",7} | {"errors",6} | {"at 70%: req/s p99 err",-20} | {"µs cpu",5} | {"KiB alloc",8} | credits (exact check)");
        sb.AppendLine($"|{new string('-', 60)}|{new string('-', 10)}|{new string('-', 7)}|{new string('-', 8)}|{new string('-', 8)}|{new string('-', 9)}|{new string('-', 8)}|{new string('-', 22)}|{new string('-', 7)}|{new string('-', 10)}|---");
        foreach (var row in _rows) sb.AppendLine(row);
        sb.AppendLine();
        foreach (var check in _checks) sb.AppendLine("- " + check);
        Console.Write(sb.ToString());
    }

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MiB";
}
