using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

public sealed class SpecVectorsTests
{
    [Fact]
    public void The_vectors_are_found_next_to_the_repository_not_inside_it()
    {
        // Missing vectors skip with a message on a fresh clone and fail under CI=true (SpecVectors.Require).
        var vector = SpecVectors.Require("ed25519.json");

        var repository = SpecVectors.RepositoryDirectory!;
        var expected = Path.GetFullPath(Path.Combine(repository, "..", "shared", "spec", "vectors", "ed25519.json"));
        Assert.Equal(expected, vector);
        Assert.False(vector.StartsWith(repository + Path.DirectorySeparatorChar, StringComparison.Ordinal), "vectors must not live inside the repository");
        Assert.False(File.Exists(Path.Combine(repository, "shared", "spec", "vectors", "ed25519.json")), "no copy of the vectors inside the repository");
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
