using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Observability.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// The log of the real executable with <c>Logging:Console:FormatterName=json</c>: one JSON object per
/// line, where the server is said first, one line per request with its id, route, status, result and
/// latency, and never a secret.
/// </summary>
public sealed class RequestLogTests
{
    private static JsonElement? ParseLine(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Json_log_lines_name_the_request_and_its_outcome_and_carry_no_secret()
    {
        await using var server = await ServerProcess.StartAsync("--Logging:Console:FormatterName=json");
        var (appId, appSecret, licenseKey, apiKey) = await server.SeedAsync();
        var hwid = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        Assert.Equal("success", await server.ValidateAsync(appId, appSecret, licenseKey, hwid));
        Assert.Equal("invalid_app", await server.ValidateAsync(appId, appSecret + "x", licenseKey, hwid));

        using var developer = new HttpClient { BaseAddress = server.BaseAddress };
        developer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var read = await developer.GetAsync($"/v1/licenses/{licenseKey}", TestContext.Current.CancellationToken);
        read.EnsureSuccessStatusCode();
        var requestId = read.Headers.GetValues("X-Request-Id").Single();
        const string wrongKey = "af_live_0000000000000000000000000000000000000000";
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/v1/apps") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", wrongKey) } };
        using var refusedAnswer = await server.Http.SendAsync(refused, TestContext.Current.CancellationToken);

        JsonElement[] Requests() => [.. server.Lines.Select(ParseLine).OfType<JsonElement>()
            .Where(l => l.GetProperty("Category").GetString() == RequestObserver.LogCategory)];
        var refusedId = refusedAnswer.Headers.GetValues("X-Request-Id").Single();
        await Eventually.True(() => Task.FromResult(Requests().Any(r => r.GetProperty("State").GetProperty("RequestId").GetString() == refusedId)), TimeSpan.FromSeconds(10));

        var lines = server.Lines;
        Assert.All(lines.Where(l => l.Length > 0), l => Assert.True(ParseLine(l) is not null, $"not a JSON line: {l}"));
        var requests = Requests();
        var licenseRead = Assert.Single(requests, r => r.GetProperty("State").GetProperty("RequestId").GetString() == requestId).GetProperty("State");
        Assert.Equal(("GET", "/v1/licenses/{licenseKey}", 200, "ok"), (licenseRead.GetProperty("Method").GetString(), licenseRead.GetProperty("Route").GetString(),
            licenseRead.GetProperty("Status").GetInt32(), licenseRead.GetProperty("Result").GetString()));
        Assert.True(licenseRead.GetProperty("ElapsedMs").GetDouble() >= 0);
        Assert.Contains(requests, r => r.GetProperty("State") is var s && s.GetProperty("Route").GetString() == "/auth/validate" && s.GetProperty("Result").GetString() == "success");
        Assert.Contains(requests, r => r.GetProperty("State") is var s && s.GetProperty("Route").GetString() == "/auth/validate" && s.GetProperty("Result").GetString() == "invalid_app");
        var refusedLine = Assert.Single(requests, r => r.GetProperty("State").GetProperty("RequestId").GetString() == refusedId).GetProperty("State");
        Assert.Equal(("GET", "/v1/apps", 401, "invalid_api_key"), (refusedLine.GetProperty("Method").GetString(), refusedLine.GetProperty("Route").GetString(),
            refusedLine.GetProperty("Status").GetInt32(), refusedLine.GetProperty("Result").GetString()));

        var all = string.Join('\n', lines);
        Assert.DoesNotContain(licenseKey, all);
        Assert.DoesNotContain(apiKey, all);
        Assert.DoesNotContain(wrongKey, all);
        Assert.DoesNotContain(appSecret, all);
        Assert.DoesNotContain(LicensingTestHost.OperatorToken, all);

        // Where things are, said once the server is up.
        var banner = string.Join('\n', lines.Select(ParseLine).OfType<JsonElement>().Where(l => l.GetProperty("Category").GetString() == "OrleansLicensing.Startup")
            .Select(l => l.GetProperty("Message").GetString()));
        Assert.Contains($"listening on {server.BaseAddress.ToString().TrimEnd('/')}", banner);
        Assert.Contains($"{server.BaseAddress}docs", banner);
        Assert.Contains($"Prometheus metrics at {server.BaseAddress}metrics", banner);
        Assert.Contains($"Orleans dashboard at {server.BaseAddress}dashboard", banner);
        // Orleans' option dumps stay out of the log.
        Assert.DoesNotContain(lines, l => l.Contains("Configuration Orleans.Configuration", StringComparison.Ordinal));
    }
}
