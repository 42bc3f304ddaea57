using BenchmarkDotNet.Running;

namespace OrleansLicensing.Benchmarks;

/// <summary>
/// Runs the micro-benchmarks (<c>dotnet run -c Release --project tests/OrleansLicensing.Benchmarks -- --filter '*Ed25519*'</c>)
/// or, with <c>listing …</c> as the first argument, the listing benchmark against a running server (scripts/bench-listing.sh),
/// or, with <c>auth …</c>, the hot-path load benchmark of scripts/bench.sh.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "listing") return await ListingBenchmark.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "auth") return await Load.AuthLoadBenchmark.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "failover") return await Load.FailoverBenchmark.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
