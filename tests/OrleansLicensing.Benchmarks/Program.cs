using BenchmarkDotNet.Running;

namespace OrleansLicensing.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project tests/OrleansLicensing.Benchmarks -- --filter '*Ed25519*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
