namespace OrleansLicensing.Server.Http;

/// <summary>Which request targets <see cref="DotSegments"/> refuses (the HTTP behaviour: AppsListAndDeleteApiTests).</summary>
public sealed class DotSegmentsTests
{
    [Theory]
    [InlineData("/v1/apps/a/webhooks/..")]
    [InlineData("/v1/apps/a/webhooks/.")]
    [InlineData("/v1/apps/a/webhooks/%2e%2e")]
    [InlineData("/v1/apps/a/webhooks/%2E%2e/")]
    [InlineData("/v1/apps/a/./webhooks")]
    [InlineData("/v1/apps/a/%2e?x=1")]
    [InlineData("/..")]
    public void A_segment_that_is_one_or_two_dots_is_refused(string target) =>
        Assert.True(DotSegments.HasDotSegment(target));

    [Theory]
    [InlineData("/v1/apps/a.b/webhooks")]
    [InlineData("/v1/apps/..x")]
    [InlineData("/v1/apps/x..")]
    [InlineData("/v1/apps/...")]
    [InlineData("/v1/apps/%2e%2e%2e")]
    [InlineData("/v1/apps/%2e%2")]
    [InlineData("/v1/apps/%2f..")]
    [InlineData("/v1/licenses?label=/../")]
    [InlineData("/")]
    [InlineData("")]
    public void Other_segments_and_the_query_are_left_alone(string target) =>
        Assert.False(DotSegments.HasDotSegment(target));
}
