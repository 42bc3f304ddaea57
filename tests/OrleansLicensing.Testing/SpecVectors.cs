using System.Text.Json;
using Xunit;

namespace OrleansLicensing.Testing;

/// <summary>
/// The official test vectors of <c>shared/spec/vectors</c> (docs/protocol.md §19.1). They are not
/// copied into this repository: they are read from <c>../shared/spec/vectors</c> next to the
/// directory that holds <c>OrleansLicensing.sln</c>. When they are missing, tests that need them
/// are skipped — except in CI (<c>CI=true</c>), where a missing vector is a failure.
/// </summary>
public static class SpecVectors
{
    private const string SolutionFile = "OrleansLicensing.sln";

    /// <summary>The directory that holds <c>OrleansLicensing.sln</c> above the test binaries, or null.</summary>
    public static string? RepositoryDirectory { get; } = FindRepository();

    /// <summary>The vectors directory, or null when the solution directory cannot be found.</summary>
    public static string? VectorsDirectory { get; } =
        RepositoryDirectory is null ? null : Path.GetFullPath(Path.Combine(RepositoryDirectory, "..", "shared", "spec", "vectors"));

    /// <summary>True when a missing vector must fail the test rather than skip it (environment <c>CI=true</c>).</summary>
    public static bool RequiredByEnvironment =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="fileName"/>, or null when it does not exist.</summary>
    public static string? Locate(string fileName)
    {
        var path = VectorsDirectory is null ? null : Path.Combine(VectorsDirectory, fileName);
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>What a test reports when <paramref name="fileName"/> is missing.</summary>
    public static string MissingMessage(string fileName)
    {
        var where = VectorsDirectory is null
            ? $"<{SolutionFile} not found above {AppContext.BaseDirectory}>/../shared/spec/vectors/{fileName}"
            : Path.Combine(VectorsDirectory, fileName);
        return $"Spec vector missing: {where}; official vectors live in ../shared/spec/vectors (next to the repository).";
    }

    /// <summary>Parses <paramref name="fileName"/> (e.g. <c>hmac-v1.json</c>), or skips the calling test when it is missing — fails it under <c>CI=true</c>.</summary>
    public static JsonDocument Load(string fileName) => JsonDocument.Parse(File.ReadAllBytes(Require(fileName)));

    /// <summary>The full path of <paramref name="fileName"/>, or skips the calling test when it is missing — fails it under <c>CI=true</c>.</summary>
    public static string Require(string fileName)
    {
        var path = Locate(fileName);
        if (path is null)
        {
            if (RequiredByEnvironment)
            {
                Assert.Fail(MissingMessage(fileName) + " CI=true, so this is a failure, not a skip.");
            }
            Assert.Skip(MissingMessage(fileName));
        }
        return path;
    }

    private static string? FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
