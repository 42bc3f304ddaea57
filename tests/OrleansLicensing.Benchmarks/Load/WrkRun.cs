using System.Diagnostics;
using System.Globalization;

namespace OrleansLicensing.Benchmarks.Load;

/// <summary>What one wrk run measured (the RESULT line of scripts/bench/load.lua).</summary>
public sealed record WrkResult(
    long Requests, double Seconds, long Ok, long Failed, long SocketErrors,
    double P50Ms, double P99Ms, double P999Ms, double MaxMs, string Codes,
    IReadOnlyDictionary<int, long> SuccessesPerLine)
{
    public double PerSecond => Requests / Seconds;

    public long Errors => Failed + SocketErrors;
}

/// <summary>Runs wrk (a separate process) with the project's Lua script.</summary>
public sealed class WrkRunner(string wrk, string script, string workDirectory)
{
    private int _runs;

    public async Task<WrkResult> RunAsync(string url, string mode, string? dataFile, int connections, TimeSpan duration,
        double rate = 0, string? bearer = null)
    {
        var run = Interlocked.Increment(ref _runs);
        var countsFile = Path.Combine(workDirectory, $"counts-{run}.txt");
        var doneDirectory = Path.Combine(workDirectory, $"done-{run}");
        Directory.CreateDirectory(doneDirectory);
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-t", connections.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{(int)Math.Ceiling(duration.TotalSeconds) + 120}s", "--timeout", "10s", "-s", script, url, "--",
                     connections.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["BENCH_MODE"] = mode;
        start.Environment["BENCH_DATA"] = dataFile ?? "";
        start.Environment["BENCH_RATE"] = rate.ToString("F1", CultureInfo.InvariantCulture);
        // Unique across runs and benchmark invocations, so validate nonces never repeat (§6).
        start.Environment["BENCH_RUN"] = ((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 100 + run) % 4_000_000_000).ToString(CultureInfo.InvariantCulture);
        start.Environment["BENCH_OUT"] = countsFile;
        start.Environment["BENCH_TOKEN"] = bearer ?? "";
        start.Environment["BENCH_SECONDS"] = duration.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture);
        start.Environment["BENCH_DONE"] = doneDirectory;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Every thread stops by itself once its last response is in (load.lua); wrk would still sleep
        // its whole -d, so it is interrupted (SIGINT makes it print its summary) when all are done.
        while (!process.HasExited && Directory.GetFiles(doneDirectory).Length < connections) await Task.Delay(100);
        if (!process.HasExited)
        {
            using var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await interrupt.WaitForExitAsync();
        }
        await process.WaitForExitAsync();
        Directory.Delete(doneDirectory, recursive: true);
        var output = await stdout;
        var resultLine = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"wrk gave no result (exit {process.ExitCode}): {output}{await stderr}");
        var fields = resultLine["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f.Length > 1 ? f[1] : "");
        var perLine = new Dictionary<int, long>();
        if (File.Exists(countsFile))
        {
            foreach (var entry in File.ReadLines(countsFile))
            {
                var parts = entry.Split(' ');
                if (parts.Length != 2) continue;
                var line = int.Parse(parts[0], CultureInfo.InvariantCulture);
                perLine[line] = perLine.GetValueOrDefault(line) + long.Parse(parts[1], CultureInfo.InvariantCulture); // one entry per thread
            }
            File.Delete(countsFile);
        }
        double Ms(string name) => long.Parse(fields[name], CultureInfo.InvariantCulture) / 1000.0;
        long Count(string name) => long.Parse(fields[name], CultureInfo.InvariantCulture);
        return new WrkResult(Count("requests"), double.Parse(fields["seconds"], CultureInfo.InvariantCulture), Count("ok"), Count("failed"),
            Count("socket_errors"), Ms("p50_us"), Ms("p99_us"), Ms("p999_us"), Ms("max_us"), fields.GetValueOrDefault("codes", ""), perLine);
    }
}
