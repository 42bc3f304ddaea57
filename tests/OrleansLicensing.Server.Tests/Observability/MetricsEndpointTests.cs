using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Observability.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// <c>/metrics</c> of the real executable over real HTTP: only the operator scrapes it, and it shows
/// what the server did. Tests of the collection share the process, so counts are compared as
/// increases between two scrapes.
/// </summary>
[Collection(ObservedServerCollection.Name)]
public sealed class MetricsEndpointTests(ObservedServer observed)
{
    private const string AuthRequests = "licensing_auth_request_duration_seconds_count";

    private ServerProcess Server => observed.Server;

    private static string NewHwid() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));

    [Fact]
    public async Task Metrics_are_refused_without_the_operator_token()
    {
        using var anonymous = await Server.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        await anonymous.AssertError(401, "invalid_api_key");
        Assert.Contains("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString());

        foreach (var credential in new[]
                 {
                     new AuthenticationHeaderValue("Bearer", "not-the-operator-token-0000"),
                     PrometheusText.Basic("not-the-operator-token-0000"),
                     new AuthenticationHeaderValue("Basic", "%%%not-base64%%%"),
                     new AuthenticationHeaderValue("Bearer", LicensingTestHost.OperatorToken + "x"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = credential } };
            using var refused = await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
            var body = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            await refused.AssertError(401, "invalid_api_key");
            Assert.DoesNotContain("licensing_", body);
        }
    }

    [Fact]
    public async Task A_scrape_with_the_token_as_bearer_or_basic_password_gets_every_meter()
    {
        using var bearer = await Server.Operator.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.StartsWith("text/plain", bearer.Content.Headers.ContentType?.MediaType);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = PrometheusText.Basic(LicensingTestHost.OperatorToken) } };
        using var basic = await Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        var text = new PrometheusText(await basic.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(text.Has("orleans_catalog_activations"), "Orleans' own meter (grain activations) is exported");
        Assert.True(text.Has("http_server_request_duration_seconds_count"), "ASP.NET Core's request metrics are exported");
        Assert.True(text.Has("dotnet_gc_collections_total"), "the .NET runtime's metrics are exported");
    }

    [Fact]
    public async Task After_validates_the_request_counter_carries_each_result_code_and_credits_are_counted()
    {
        var (appId, secret, key, _) = await Server.SeedAsync();
        var hwid = NewHwid();
        var before = await Server.ScrapeAsync();

        Assert.Equal("success", await Server.ValidateAsync(appId, secret, key, hwid));
        var nonce = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        Assert.Equal("success", await Server.ValidateAsync(appId, secret, key, hwid, nonce));
        Assert.Equal("replay_detected", await Server.ValidateAsync(appId, secret, key, hwid, nonce));
        Assert.Equal("invalid_key", await Server.ValidateAsync(appId, secret, "AAAA-BBBB-CCCC-DDDD", hwid));
        Assert.Equal("invalid_app", await Server.ValidateAsync(appId, "wrong-secret", key, hwid));

        var after = await Server.ScrapeAsync();
        double Increase(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(2, Increase(AuthRequests, ("endpoint", "validate"), ("result", "success")));
        Assert.Equal(1, Increase(AuthRequests, ("endpoint", "validate"), ("result", "replay_detected")));
        Assert.Equal(1, Increase(AuthRequests, ("endpoint", "validate"), ("result", "invalid_key")));
        Assert.Equal(1, Increase(AuthRequests, ("endpoint", "validate"), ("result", "invalid_app")));
        Assert.Equal(2, Increase("licensing_credits_debited_total", ("kind", "validate")));
        Assert.True(Increase("licensing_group_commit_batch_size_count") >= 1);
        Assert.True(Increase("licensing_group_commit_write_duration_seconds_count", ("outcome", "ok")) >= 1);
        Assert.True(Increase("licensing_auth_grain_calls_count", ("endpoint", "validate")) >= 5);
        // Buckets are in seconds: every one of these validates took less than 10 s.
        Assert.Equal(after.Sum(AuthRequests, ("endpoint", "validate"), ("result", "success")),
            after.Sum("licensing_auth_request_duration_seconds_bucket", ("endpoint", "validate"), ("result", "success"), ("le", "10")));
        Assert.True(after.Has("orleans_catalog_activations"));
    }

    [Fact]
    public async Task Heartbeat_counter_writes_are_counted_with_the_licenses_each_carried()
    {
        var (appId, secret, key, _) = await Server.SeedAsync();
        var hwid = NewHwid();
        var token = await Server.StartSessionAsync(appId, secret, key, hwid);
        var before = await Server.ScrapeAsync();

        // One at a time: each heartbeat's counter is written before the next is sent, one license per write.
        for (var i = 0; i < 3; i++) Assert.Equal("success", await Server.HeartbeatAsync(appId, token, hwid));

        var after = await Server.ScrapeAsync();
        double Increase(string name) => after.Sum(name) - before.Sum(name);
        Assert.Equal(3, Increase("licensing_heartbeat_counts_batch_size_count"));
        Assert.Equal(3, Increase("licensing_heartbeat_counts_batch_size_sum"));
        Assert.Equal(0, Increase("licensing_heartbeat_counts_write_failures_total"));
    }

    [Fact]
    public async Task Webhook_attempts_are_timed_by_outcome_and_the_outbox_backlog_is_reported()
    {
        var (appId, _, _, apiKey) = await Server.SeedAsync();
        await using var receiver = await OrleansLicensing.Server.Webhooks.given.WebhookReceiver.StartAsync();
        using var developer = new HttpClient { BaseAddress = Server.BaseAddress };
        developer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var created = await developer.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = receiver.Url(), events = new[] { "license.created" } },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhookId = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken)).GetProperty("webhookId").GetString();
        var before = await Server.ScrapeAsync();

        receiver.Answer(200, 500);
        using (var delivered = await developer.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken)) delivered.EnsureSuccessStatusCode();
        using (var refused = await developer.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken)) refused.EnsureSuccessStatusCode();

        var after = await Server.ScrapeAsync();
        double Increase(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(1, Increase("licensing_webhooks_delivery_duration_seconds_count", ("outcome", "delivered")));
        Assert.Equal(1, Increase("licensing_webhooks_delivery_duration_seconds_count", ("outcome", "http_error")));
        Assert.Equal(1, Increase("licensing_webhooks_delivery_failures_total", ("outcome", "http_error")));
        Assert.Equal(0, Increase("licensing_webhooks_delivery_failures_total", ("outcome", "delivered")));
        Assert.True(after.Has("licensing_webhooks_backlog"), "each sweep reports the backlog");
        Assert.True(after.Sum("licensing_webhooks_backlog", ("kind", "deliveries")) >= 0);
    }

    [Fact]
    public async Task Every_http_route_label_has_one_leading_slash_and_no_trailing_one()
    {
        // A controller, a minimal endpoint, a page, the dashboard (mapped with a trailing slash) and the SDK edge.
        foreach (var path in new[] { "/v1/apps", "/health/live", "/console/sign-in", "/docs" })
        {
            using var answer = await Server.Http.GetAsync(path, TestContext.Current.CancellationToken);
        }
        using (var dashboard = await Server.Operator.GetAsync("/dashboard/", TestContext.Current.CancellationToken)) dashboard.EnsureSuccessStatusCode();
        Assert.Equal("invalid_app", await Server.ValidateAsync("app_unknown", "secret", "AAAA-BBBB-CCCC-DDDD", "machine"));

        var routes = System.Text.RegularExpressions.Regex.Matches((await Server.ScrapeAsync()).Text, "http_route=\"([^\"]*)\"")
            .Select(m => m.Groups[1].Value).ToHashSet();

        Assert.DoesNotContain(routes, r => !r.StartsWith('/') || r.StartsWith("//", StringComparison.Ordinal) || (r.Length > 1 && r.EndsWith('/')));
        foreach (var route in new[] { "/v1/apps", "/health/live", "/console/sign-in", "/dashboard", "/auth/validate" }) Assert.Contains(route, routes);
    }

    [Fact]
    public async Task Rate_limit_refusals_are_counted()
    {
        var (appId, secret, key, _) = await Server.SeedAsync();
        var hwid = NewHwid();
        var before = await Server.ScrapeAsync();

        // Licensing:Auth:RateLimits:ValidatePerLicensePerMinute is 5: the 6th validate of one license within a minute is refused.
        var answers = new List<string>();
        for (var i = 0; i < 6; i++) answers.Add(await Server.ValidateAsync(appId, secret, key, hwid));
        Assert.Equal("rate_limited", answers[^1]);

        var after = await Server.ScrapeAsync();
        Assert.Equal(1, after.Sum("licensing_rate_limit_refusals_total", ("api", "auth")) - before.Sum("licensing_rate_limit_refusals_total", ("api", "auth")));
        Assert.Equal(1, after.Sum(AuthRequests, ("result", "rate_limited")) - before.Sum(AuthRequests, ("result", "rate_limited")));
    }
}

/// <summary>A scrape right after start: every product counter is there, at 0, with each of its label values.</summary>
public sealed class MetricsAtStartTests
{
    [Fact]
    public async Task Right_after_start_every_counter_is_exported_at_zero_with_each_label_value()
    {
        await using var server = await ServerProcess.StartAsync();

        var scrape = await server.ScrapeAsync();

        var expected = new List<(string Name, (string, string)[] Labels)>
        {
            ("licensing_group_commit_write_failures_total", []),
            ("licensing_heartbeat_counts_write_failures_total", []),
            ("licensing_auth_log_dropped_total", []),
        };
        expected.AddRange(new[] { "validate", "heartbeat", "offline_file", "correction" }.Select(kind => ("licensing_credits_debited_total", new[] { ("kind", kind) })));
        expected.AddRange(new[] { "http_error", "timeout", "network_error", "refused" }.Select(outcome => ("licensing_webhooks_delivery_failures_total", new[] { ("outcome", outcome) })));
        expected.AddRange(new[] { "auth", "developer" }.Select(api => ("licensing_rate_limit_refusals_total", new[] { ("api", api) })));
        var lines = scrape.Text.Split('\n');
        foreach (var (name, labels) in expected)
        {
            var series = lines.Where(l => l.StartsWith(name, StringComparison.Ordinal) && labels.All(x => l.Contains($"{x.Item1}=\"{x.Item2}\"", StringComparison.Ordinal))).ToList();
            var label = $"{name}{{{string.Join(",", labels.Select(x => $"{x.Item1}={x.Item2}"))}}}";
            Assert.True(series.Count == 1, $"{label}: {series.Count} series");
            Assert.EndsWith(" 0", series[0]);
        }
        // Grants are never debited: no series for them.
        Assert.Equal(0, lines.Count(l => l.StartsWith("licensing_credits_debited_total", StringComparison.Ordinal) && l.Contains("kind=\"grant\"", StringComparison.Ordinal)));
    }
}

/// <summary><c>Licensing:Metrics:Port</c>: <c>/metrics</c> on a port of its own, without a token, and only there.</summary>
public sealed class MetricsPortTests
{
    [Fact]
    public async Task With_a_metrics_port_the_scrape_needs_no_token_there_and_the_api_port_does_not_serve_it()
    {
        var port = FreePorts.Next();
        await using var server = await ServerProcess.StartAsync($"--Licensing:Metrics:Port={port}");

        using var scraper = new HttpClient();
        using var scrape = await scraper.GetAsync($"http://127.0.0.1:{port}/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("orleans_catalog_activations", await scrape.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var apiOnMetricsPort = await scraper.GetAsync($"http://127.0.0.1:{port}/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, apiOnMetricsPort.StatusCode);
        using var metricsOnApiPort = await server.Operator.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, metricsOnApiPort.StatusCode);
        using var api = await server.Http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }
}

/// <summary><c>Licensing:Metrics:OtlpEndpoint</c>: metrics are pushed to a collector as well.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_metrics_are_pushed_to_it()
    {
        // Any HTTP server that records requests stands in for the collector (OTLP over HTTP is a protobuf POST).
        await using var collector = await OrleansLicensing.Server.Webhooks.given.WebhookReceiver.StartAsync();
        await using var server = await ServerProcess.StartAsync(
            $"--Licensing:Metrics:OtlpEndpoint={collector.Url("/v1/metrics")}", "--Licensing:Metrics:OtlpProtocol=http/protobuf",
            "--Licensing:Metrics:OtlpInterval=00:00:01");

        Assert.Equal("invalid_app", await server.ValidateAsync("app_unknown", "secret", "AAAA-BBBB-CCCC-DDDD", "machine"));

        // The product's meter is in a push (instrument names are plain strings in the protobuf).
        bool Pushed(OrleansLicensing.Server.Webhooks.given.ReceivedWebhook r) => r.Path == "/v1/metrics" && System.Text.Encoding.UTF8.GetString(r.Body).Contains(OrleansLicensing.Diagnostics.LicensingMetrics.AuthRequestDuration, StringComparison.Ordinal);
        await Eventually.True(() => Task.FromResult(collector.Received.Any(Pushed)), TimeSpan.FromSeconds(30));
        var push = collector.Received.First(Pushed);
        Assert.Equal("POST", push.Header("Method"));
        Assert.Equal("application/x-protobuf", push.Header("Content-Type"));
        Assert.Contains(server.Lines, l => l.Contains("Metrics are pushed over OTLP to", StringComparison.Ordinal));
    }
}
