using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansLicensing.Benchmarks;

/// <summary>
/// License listing at scale against a running server (scripts/bench-listing.sh starts one):
/// creation throughput through <c>POST /v1/licenses</c> on an empty app and again next to a large
/// one, then <c>GET /v1/licenses</c> page latency with the app holding <c>--licenses</c> rows. The
/// bulk of the rows is inserted straight into the listing index (the only table a listing reads)
/// with documents copied from a license the API created; creating a million through the API would
/// measure creation, not listing.
/// </summary>
public static class ListingBenchmark
{
    private const string KeyAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var seed = new Load.BenchSeed(options.Url, options.OperatorToken);
        var account = await seed.CreateAccountAsync("listing bench");
        using var api = Load.BenchSeed.Client(options.Url, account.ApiKey);

        var results = new List<string>();
        var (small, _) = await seed.CreateAppAsync(account, "empty app", "ed25519");
        results.Add(await CreationAsync(api, small, options.ApiCreates, "create via API, app with 0 licenses"));

        var (big, _) = await seed.CreateAppAsync(account, "big app", "ed25519");
        await CreationAsync(api, big, 100, "template");
        var seeded = await SeedAsync(options, big);
        Console.WriteLine($"seeded {seeded:N0} rows in {big}");
        results.Add(await CreationAsync(api, big, options.ApiCreates, $"create via API, app with {options.Licenses:N0} licenses"));

        results.Add(await LatencyAsync(api, "first page, limit 50", 300, _ => $"/v1/licenses?appId={big}"));
        results.Add(await LatencyAsync(api, "first page, limit 200", 300, _ => $"/v1/licenses?appId={big}&limit=200"));
        results.Add(await DeepPagesAsync(api, big, 300));
        results.Add(await LatencyAsync(api, "status=revoked (1 %), limit 50", 300, _ => $"/v1/licenses?appId={big}&status=revoked"));
        results.Add(await LatencyAsync(api, "label prefix (1 in 1,000), limit 50", 300, i => $"/v1/licenses?appId={big}&label=batch-{i % 1000:D4}"));
        results.Add(await LatencyAsync(api, "hwid filter, limit 50", 300, _ => $"/v1/licenses?appId={big}&hwid=not-bound-anywhere"));

        Console.WriteLine();
        Console.WriteLine($"{"scenario",-60} {"n",6} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"other",-20}");
        foreach (var line in results) Console.WriteLine(line);
        return 0;
    }

    /// <summary>Creates <paramref name="count"/> licenses in batches of 100 from 8 concurrent clients.</summary>
    private static async Task<string> CreationAsync(HttpClient api, string appId, int count, string scenario)
    {
        var batches = Math.Max(1, count / 100);
        var next = 0;
        var stopwatch = Stopwatch.StartNew();
        var latencies = new List<double>[8];
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            latencies[worker] = [];
            while (Interlocked.Increment(ref next) <= batches)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await api.PostAsJsonAsync("/v1/licenses", new { appId, quantity = Math.Min(100, count), label = "api" });
                response.EnsureSuccessStatusCode();
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var perSecond = batches * Math.Min(100, count) / stopwatch.Elapsed.TotalSeconds;
        return Row(scenario + " (POST of 100)", all, $"{perSecond:N0} licenses/s");
    }

    private static async Task<long> SeedAsync(Options options, string appId)
    {
        await using DbConnection connection = options.Postgres is { } pg ? new NpgsqlConnection(pg) : new SqliteConnection($"Data Source={options.Sqlite}");
        await connection.OpenAsync();
        string template, accountId;
        long createdAt;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT doc, account_id, created_at, license_key FROM licensing_licenses WHERE app_id = '{appId}' LIMIT 1";
            await using var reader = await read.ExecuteReaderAsync();
            if (!await reader.ReadAsync()) throw new InvalidOperationException("No template license");
            template = reader.GetString(0).Replace(reader.GetString(3), "{KEY}", StringComparison.Ordinal);
            accountId = reader.GetString(1);
            createdAt = reader.GetInt64(2);
        }

        var stopwatch = Stopwatch.StartNew();
        const int chunk = 20_000;
        var isPostgres = options.Postgres is not null;
        for (var start = 0; start < options.Licenses; start += chunk)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO licensing_licenses (license_key, app_id, account_id, created_at, revoked, expires_at, label, expiry_notified, doc) " +
                                 "VALUES (@key, @app, @account, @created, @revoked, NULL, @label, @notified, @doc)";
            var key = Parameter(insert, "key", System.Data.DbType.String);
            Parameter(insert, "app", System.Data.DbType.String).Value = appId;
            Parameter(insert, "account", System.Data.DbType.String).Value = accountId;
            var created = Parameter(insert, "created", System.Data.DbType.Int64);
            var revoked = Parameter(insert, "revoked", isPostgres ? System.Data.DbType.Boolean : System.Data.DbType.Int64);
            var label = Parameter(insert, "label", System.Data.DbType.String);
            Parameter(insert, "notified", isPostgres ? System.Data.DbType.Boolean : System.Data.DbType.Int64).Value = isPostgres ? false : 0;
            var doc = Parameter(insert, "doc", System.Data.DbType.String);
            await insert.PrepareAsync();
            for (var i = start; i < Math.Min(options.Licenses, start + chunk); i++)
            {
                var licenseKey = NewKey();
                key.Value = licenseKey;
                created.Value = createdAt + i;
                revoked.Value = isPostgres ? i % 100 == 0 : (i % 100 == 0 ? 1 : 0);
                label.Value = $"batch-{i % 1000:D4}";
                doc.Value = template.Replace("{KEY}", licenseKey, StringComparison.Ordinal);
                await insert.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        await using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "ANALYZE";
            await analyze.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"seeding took {stopwatch.Elapsed.TotalSeconds:N1} s");
        return options.Licenses;
    }

    private static DbParameter Parameter(DbCommand command, string name, System.Data.DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static string NewKey()
    {
        Span<char> key = stackalloc char[19];
        for (var i = 0; i < 19; i++) key[i] = i % 5 == 4 ? '-' : KeyAlphabet[RandomNumberGenerator.GetInt32(KeyAlphabet.Length)];
        return new string(key);
    }

    private static async Task<string> LatencyAsync(HttpClient api, string scenario, int samples, Func<int, string> path)
    {
        for (var i = 0; i < 20; i++) await GetAsync(api, path(i)); // warm-up
        var latencies = new double[samples];
        var items = 0;
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var body = await GetAsync(api, path(i));
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            items += body.GetProperty("licenses").GetArrayLength();
        }
        return Row(scenario, [.. latencies.Order()], $"{items / (double)samples:N0} items/page");
    }

    /// <summary>Walks the cursor from the newest row downwards, timing every page.</summary>
    private static async Task<string> DeepPagesAsync(HttpClient api, string appId, int pages)
    {
        var latencies = new double[pages];
        string? cursor = null;
        for (var i = 0; i < pages; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var body = await GetAsync(api, $"/v1/licenses?appId={appId}&limit=200" + (cursor is null ? "" : $"&cursor={cursor}"));
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            cursor = body.GetProperty("cursor").GetString();
        }
        return Row($"cursor walk, {pages} pages of 200", [.. latencies.Order()], $"to row {pages * 200:N0}");
    }

    private static async Task<JsonElement> GetAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Row(string scenario, double[] sorted, string other) =>
        $"{scenario,-60} {sorted.Length,6} {Percentile(sorted, 0.50),8:N1} {Percentile(sorted, 0.99),8:N1} {sorted[^1],8:N1} {other,-20}";

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Options(string Url, string OperatorToken, string? Sqlite, string? Postgres, int Licenses, int ApiCreates)
    {
        public static Options Parse(string[] args)
        {
            string Value(string name, string? fallback = null)
            {
                var index = Array.IndexOf(args, name);
                return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback ?? throw new ArgumentException($"{name} is required");
            }
            string? Optional(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
            var options = new Options(Value("--url"), Value("--operator-token"), Optional("--sqlite"), Optional("--postgres"),
                int.Parse(Value("--licenses", "1000000"), CultureInfo.InvariantCulture), int.Parse(Value("--api-creates", "20000"), CultureInfo.InvariantCulture));
            if ((options.Sqlite is null) == (options.Postgres is null)) throw new ArgumentException("exactly one of --sqlite or --postgres");
            return options;
        }
    }
}
