using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansLicensing.Server.Http.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// An explicit <c>null</c> in a request body, over every /v1 and /admin/v1 route that reads one (listed from
/// the running app): a 400 naming the member and nothing changed, except for the members where the spec
/// gives null a meaning. Without the rule <c>{"name": null}</c> read as "absent": 200, nothing changed.
/// </summary>
public sealed class RequestBodyNullsTests(MalformedRequestWorld world) : IClassFixture<MalformedRequestWorld>
{
    /// <summary>Members whose null means something (docs/developer-api.md, "Explicit null"), by method and route.</summary>
    private static readonly HashSet<string> NullAccepted =
    [
        "POST admin/v1/accounts email",
        "POST admin/v1/accounts/{accountId}/suspend reason",
        "POST admin/v1/accounts/{accountId}/reactivate reason",
        "POST v1/apps dailyCreditCap",
        "PUT v1/apps/{appId} dailyCreditCap",
        "POST v1/licenses expiresAt",
        "POST v1/licenses label",
        "POST v1/licenses variables",
        "PUT v1/licenses/{licenseKey} expiresAt",
        "PUT v1/licenses/{licenseKey} label",
        "PUT v1/licenses/{licenseKey} variables",
        "POST v1/licenses/{licenseKey}/offline-files expiresAt",
        "POST v1/api-keys expiresAt",
    ];

    // The API's JSON rules (member names), with the reflection metadata the shared options only get on first use.
    private static readonly JsonSerializerOptions Json = new(JsonDefaults.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    /// <summary>The JSON members of a body type (none for a raw JSON body such as the variables object).</summary>
    private static IEnumerable<string> Members(Type body)
    {
        var type = Json.GetTypeInfo(body);
        return type.Kind == JsonTypeInfoKind.Object ? type.Properties.Select(p => p.Name) : [];
    }

    [Fact]
    public void The_routes_bind_the_bodies_whose_members_are_checked()
    {
        var members = world.Routes().Where(r => r.ReadsBody).SelectMany(r => Members(r.Body!).Select(m => $"{r.Method} {r.Template} {m}")).ToList();

        Assert.True(members.Count >= 40, $"only {members.Count} body members found");
        Assert.Contains("PUT v1/apps/{appId} name", members);
        Assert.Contains("PUT v1/apps/{appId}/webhooks/{webhookId} enabled", members);
        Assert.Contains("POST admin/v1/accounts/{accountId}/credits amount", members);
        // Every member said to accept null exists: a renamed member must not silently leave this list.
        Assert.Empty(NullAccepted.Except(members));
    }

    [Fact]
    public async Task An_explicit_null_is_a_400_naming_the_member_on_every_route_and_changes_nothing()
    {
        var before = await world.SnapshotAsync();
        var failures = new List<string>();

        foreach (var route in world.Routes().Where(r => r.ReadsBody))
        {
            foreach (var member in Members(route.Body!).Where(m => !NullAccepted.Contains($"{route.Method} {route.Template} {m}")))
            {
                var (status, text) = await SendAsync(route, $"{{\"{member}\":null}}");
                var where = $"{route} {{\"{member}\":null}} -> {status}";
                if (status != 400)
                {
                    failures.Add($"{where}: {text}");
                    continue;
                }
                var body = JsonDocument.Parse(text).RootElement;
                var details = body.TryGetProperty("details", out var list) ? list.EnumerateArray().Select(d => d.GetString()!).ToArray() : [];
                if (body.GetProperty("error").GetString() != "bad_request" || !details.Any(d => d.StartsWith($"{member}: ", StringComparison.Ordinal)))
                {
                    failures.Add($"{where}: does not name {member}: {text}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_null_member_is_refused_even_beside_valid_ones()
    {
        var before = await world.SnapshotAsync();

        var (status, text) = await SendAsync(new ManagementRoute("PUT", "v1/apps/{appId}", typeof(object)), """{"name":"Renamed app","status":null}""");

        Assert.Equal(400, status);
        Assert.Contains("\"status: must not be null\"", text);
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task Where_null_has_a_meaning_it_is_accepted()
    {
        var (status, text) = await SendAsync(new ManagementRoute("PUT", "v1/apps/{appId}", typeof(object)), """{"dailyCreditCap":null}""");

        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(text).RootElement.GetProperty("dailyCreditCap").ValueKind);
    }

    private async Task<(int Status, string Text)> SendAsync(ManagementRoute route, string json)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), world.PathOf(route))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", route.IsOperator ? LicensingTestHost.OperatorToken : world.Account.ApiKey);
        using var response = await world.Host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
