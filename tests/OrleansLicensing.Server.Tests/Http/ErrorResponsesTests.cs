using System.Net;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Http;

[Collection(SqliteServerCollection.Name)]
public sealed class ErrorResponsesTests(SqliteServer server)
{
    [Theory]
    [InlineData("GET", "/v1/nothing-here")]
    [InlineData("GET", "/v1")]
    [InlineData("POST", "/admin/v1/unknown")]
    [InlineData("DELETE", "/admin/v1/accounts")]
    [InlineData("PATCH", "/admin/v1/accounts")]
    public async Task Unknown_management_routes_are_a_json_404(string method, string path)
    {
        using var response = await server.Host.Operator.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        await response.AssertError(404, "not_found");
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept()
    {
        using var generated = await server.Host.Http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        using var failed = await server.Host.Http.GetAsync("/v1/nope", TestContext.Current.CancellationToken);
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Request-Id", "client-abc.123");
        using var echoed = await server.Host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var hostile = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        hostile.Headers.TryAddWithoutValidation("X-Request-Id", "evil value\"<script>");
        using var replaced = await server.Host.Http.SendAsync(hostile, TestContext.Current.CancellationToken);

        Assert.Matches("^req_[0-9a-z]{26}$", generated.Headers.GetValues("X-Request-Id").Single());
        Assert.Matches("^req_[0-9a-z]{26}$", failed.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-abc.123", echoed.Headers.GetValues("X-Request-Id").Single());
        Assert.Matches("^req_[0-9a-z]{26}$", replaced.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_1_MiB_is_a_400_before_parsing(bool chunked)
    {
        var json = "{\"name\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";
        HttpContent content = chunked ? new ChunkedContent(json) : new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/accounts") { Content = content };

        using var response = await server.Host.Operator.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Contains("body: larger than 1048576 bytes", await response.AssertError(400, "bad_request"));
    }

    /// <summary>Sends its body without a Content-Length, so the server sees a chunked request.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly string text;

        public ChunkedContent(string text)
        {
            this.text = text;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(64 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task A_body_that_is_not_json_is_a_400(string? contentType)
    {
        var content = new StringContent("{\"name\":\"x\"}");
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        using var response = await server.Host.Operator.PostAsync("/admin/v1/accounts", content, TestContext.Current.CancellationToken);

        Assert.Contains("body: Content-Type must be application/json", await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Health_endpoints_answer_200_with_json_when_the_silo_and_storage_are_up()
    {
        using var live = await server.Host.Http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        using var ready = await server.Host.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Body();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }
}
