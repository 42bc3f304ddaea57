using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

public sealed class SpecVectorsTests
{
    [Fact]
    public void The_vectors_are_found_next_to_the_repository_not_inside_it()
    {
        var directory = SpecVectors.VectorsDirectory;
        if (directory is null || !File.Exists(Path.Combine(directory, "ed25519.json")))
        {
            Assert.Skip($"official vectors not present at {directory ?? "<no OrleansLicensing.sln above the test binaries>"}");
        }

        var repository = Path.GetFullPath(Path.Combine(directory, "..", "..", ".."));
        Assert.True(File.Exists(Path.Combine(repository, "shared", "spec", "vectors", "ed25519.json")));
        Assert.False(File.Exists(Path.Combine(repository, "OrleansLicensing.sln")), "vectors must not live inside the repository");
    }

    [Fact]
    public void A_missing_vector_is_reported_with_its_path_and_where_vectors_live()
    {
        Assert.Null(SpecVectors.Locate("no-such-vector.json"));

        var message = SpecVectors.MissingMessage("no-such-vector.json");

        Assert.Contains("no-such-vector.json", message, StringComparison.Ordinal);
        Assert.Contains("../shared/spec/vectors", message, StringComparison.Ordinal);
    }
}
