using System.Net;
using System.Net.Http.Headers;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Observability.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Observability;

/// <summary>The Orleans dashboard at <c>/dashboard</c>: only the operator gets it (browsers through HTTP basic authentication).</summary>
[Collection(ObservedServerCollection.Name)]
public sealed class DashboardTests(ObservedServer observed)
{
    private ServerProcess Server => observed.Server;

    private async Task<HttpResponseMessage> Get(string path, AuthenticationHeaderValue? credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = credential } };
        return await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/ClusterStats")]
    [InlineData("/dashboard/GrainTypes")]
    [InlineData("/Dashboard/ClusterStats")]
    public async Task Every_dashboard_path_is_refused_without_the_operator_token(string path)
    {
        using var anonymous = await Get(path, null);
        await anonymous.AssertError(401, "invalid_api_key");
        // The challenge makes a browser ask for the credential.
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = await Get(path, PrometheusText.Basic("operator-token-that-is-wrong"));
        await wrong.AssertError(401, "invalid_api_key");
        using var empty = await Get(path, PrometheusText.Basic(""));
        await empty.AssertError(401, "invalid_api_key");
    }

    [Fact]
    public async Task The_operator_gets_the_dashboard_page_and_its_data()
    {
        var credential = PrometheusText.Basic(LicensingTestHost.OperatorToken, user: "anyone");

        using var page = await Get("/dashboard/", credential);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var script = await Get("/dashboard/index.min.js", credential);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);

        using var stats = await Get("/dashboard/ClusterStats", new AuthenticationHeaderValue("Bearer", LicensingTestHost.OperatorToken));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("application/json", stats.Content.Headers.ContentType?.MediaType);

        // The live log stream stays off: logs belong to the operator's log pipeline.
        using var trace = await Get("/dashboard/Trace", credential);
        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
    }
}

/// <summary><c>Licensing:Dashboard:Enabled=false</c>: nothing is mounted.</summary>
public sealed class DashboardDisabledTests
{
    [Fact]
    public async Task A_disabled_dashboard_is_not_found_even_for_the_operator()
    {
        await using var server = await ServerProcess.StartAsync("--Licensing:Dashboard:Enabled=false", "--Licensing:Metrics:Prometheus=false");
        using var dashboard = await server.Operator.GetAsync("/dashboard/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
        using var metrics = await server.Operator.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        using var health = await server.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
