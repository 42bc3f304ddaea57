using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>The official activation-request vectors (docs/protocol.md §18.4) through the server's parser.</summary>
public sealed class ActivationRequestParserTests
{
    [Fact]
    public void Every_vector_case_is_accepted_or_refused_as_the_vectors_say()
    {
        using var vectors = SpecVectors.Load("activation_request_vectors.json");
        var cases = vectors.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(6, cases.Count);
        foreach (var c in cases)
        {
            var name = c.GetProperty("name").GetString();
            var expect = c.GetProperty("expect").GetString();
            var parsed = ActivationRequestParser.Parse(c.GetProperty("file").GetString(), out var problem, out var explanation);
            if (expect == "ok")
            {
                Assert.True(parsed is not null, $"{name}: {problem} {explanation}");
                Assert.Equal(("test-app", "testhwid"), (parsed.AppId, parsed.Hwid));
                Assert.Equal(new DateTimeOffset(2026, 9, 11, 12, 0, 0, TimeSpan.Zero), parsed.CreatedAt);
            }
            else
            {
                Assert.True(parsed is null, $"{name} was accepted");
                // "reject" (the truncated body) may be any refusal; the others name their problem.
                if (expect != "reject") Assert.Equal(expect, problem);
                Assert.False(string.IsNullOrWhiteSpace(explanation));
            }
        }

        var full = ActivationRequestParser.Parse(cases.Single(c => c.GetProperty("name").GetString() == "good_full").GetProperty("file").GetString(), out _, out _)!;
        Assert.Equal(("dev-box", "Windows 11", "python/1.2.1", "TEST-KEY0-0000-0000"), (full.MachineName, full.Os, full.Sdk, full.LicenseKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN AUTHFORGE ACTIVATION REQUEST-----\nVersion: 1\n")]
    public void Garbage_is_malformed(string text)
    {
        Assert.Null(ActivationRequestParser.Parse(text, out var problem, out _));
        Assert.Equal(ActivationRequestProblems.Malformed, problem);
    }
}
