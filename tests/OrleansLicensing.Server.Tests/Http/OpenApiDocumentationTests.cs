using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Http;

/// <summary>The OpenAPI document describes every route of the HTTP surface and its errors; /docs renders it.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class OpenApiDocumentationTests(SqliteServer server)
{
    private static readonly string[] Surfaces = ["/auth/", "/v1/", "/admin/v1/"];

    private async Task<JsonElement> Document()
    {
        using var response = await server.Host.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Every (method, path) the server routes under /auth, /v1 and /admin/v1.</summary>
    private (string Method, string Path)[] MappedRoutes() =>
    [
        .. server.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => (Method: m.ToLowerInvariant(), Path: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => Surfaces.Any(s => r.Path.StartsWith(s, StringComparison.Ordinal)))
            .Distinct(),
    ];

    [Fact]
    public async Task Every_mapped_route_of_the_three_surfaces_is_in_the_document()
    {
        var paths = (await Document()).GetProperty("paths");
        var routes = MappedRoutes();

        Assert.Contains(routes, r => r.Path == "/v1/licenses" && r.Method == "get");
        Assert.Contains(routes, r => r.Path == "/auth/validate");
        Assert.Contains(routes, r => r.Path.StartsWith("/admin/v1/", StringComparison.Ordinal));
        var missing = routes.Where(r => !paths.TryGetProperty(r.Path, out var item) || !item.TryGetProperty(r.Method, out _)).ToArray();
        Assert.True(missing.Length == 0, "Not in /openapi/v1.json: " + string.Join(", ", missing.Select(m => $"{m.Method.ToUpperInvariant()} {m.Path}")));
    }

    [Fact]
    public async Task Every_operation_has_a_readable_operation_id_and_no_two_share_one()
    {
        var operations = (await Document()).GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (
                Name: $"{op.Name.ToUpperInvariant()} {path.Name}",
                Id: op.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null)))
            .ToList();

        Assert.True(operations.Count >= 50, $"only {operations.Count} operations");
        Assert.Empty(operations.Where(o => o.Id is null || !System.Text.RegularExpressions.Regex.IsMatch(o.Id, "^[a-z][A-Za-z]+$")).Select(o => $"{o.Name}: {o.Id ?? "(none)"}"));
        Assert.Empty(operations.GroupBy(o => o.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(o => o.Name))}"));
        // Stable names a client generator turns into method names.
        Assert.Contains(operations, o => o is { Name: "GET /v1/apps", Id: "listApps" });
        Assert.Contains(operations, o => o is { Name: "POST /v1/licenses", Id: "createLicenses" });
        Assert.Contains(operations, o => o is { Name: "POST /auth/validate", Id: "validate" });
    }

    [Fact]
    public async Task Request_members_that_refuse_null_are_not_described_as_nullable()
    {
        var schemas = (await Document()).GetProperty("components").GetProperty("schemas");
        string Types(string schema, string member) => schemas.GetProperty(schema).GetProperty("properties").GetProperty(member).GetRawText();

        Assert.DoesNotContain("null", Types("UpdateAppRequest", "name"));
        Assert.DoesNotContain("null", Types("UpdateAppRequest", "status"));
        Assert.DoesNotContain("null", Types("UpdateWebhookRequest", "enabled"));
        Assert.Contains("null", Types("UpdateAppRequest", "dailyCreditCap"));
        Assert.Contains("null", Types("CreateLicensesRequest", "expiresAt"));
        Assert.Equal(["expiresAt"], schemas.GetProperty("MintOfflineFileRequest").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Every_operation_documents_its_error_responses_with_the_error_shape()
    {
        var document = await Document();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                if (path.Name.StartsWith("/auth/", StringComparison.Ordinal))
                {
                    foreach (var status in new[] { "400", "401", "403", "429", "500" })
                    {
                        Assert.True(responses.TryGetProperty(status, out var response), $"{name} lacks {status}");
                        Assert.EndsWith("/AuthFailure", SchemaRef(response));
                    }
                    continue;
                }
                var expected = path.Name.StartsWith("/v1/", StringComparison.Ordinal)
                    ? new[] { "400", "401", "403", "404", "429", "500" }
                    : ["400", "401", "404", "500"];
                foreach (var status in expected)
                {
                    Assert.True(responses.TryGetProperty(status, out var response), $"{name} lacks {status}");
                    Assert.EndsWith("/Error", SchemaRef(response));
                }
                Assert.Equal(operation.Name != "get", responses.TryGetProperty("409", out _));
                Assert.True(operation.Value.TryGetProperty("security", out _), $"{name} lacks its security requirement");
            }
        }
        var codes = document.GetProperty("components").GetProperty("schemas").GetProperty("Error").GetProperty("properties").GetProperty("error").GetProperty("enum")
            .EnumerateArray().Select(c => c.GetString()).ToArray();
        Assert.Equal(["bad_request", "invalid_api_key", "no_credits", "forbidden", "not_found", "conflict", "rate_limited", "internal_error"], codes);
    }

    [Fact]
    public async Task The_reference_page_at_docs_renders_the_document()
    {
        using var response = await server.Host.Http.GetAsync("/docs/v1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var script = await server.Host.Http.GetAsync("/docs/scalar.js", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task The_document_speaks_the_wire_not_the_implementation()
    {
        var document = await Document();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.DoesNotContain(schemas.EnumerateObject(), s => s.Name.StartsWith("Optional", StringComparison.Ordinal) || s.Name is "JsonElement" or "Variable");

        // Enums are the strings the API sends.
        foreach (var name in new[] { "LicenseStatus", "AppStatus", "AccountStatus", "SigningScheme", "FailureMode", "LicenseAction", "CreditEntryKind", "DeliveryStatus", "SecurityEntryType" })
        {
            var values = schemas.GetProperty(name).GetProperty("enum").EnumerateArray().ToArray();
            Assert.NotEmpty(values);
            Assert.All(values, v => Assert.Equal(JsonValueKind.String, v.ValueKind));
        }
        Assert.Contains(schemas.GetProperty("SigningScheme").GetProperty("enum").EnumerateArray(), v => v.GetString() == "hmac-v2");

        // Optional request members are not required; the ones the server insists on are.
        Assert.Equal(["appId"], schemas.GetProperty("CreateLicensesRequest").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.False(schemas.GetProperty("UpdateAppRequest").TryGetProperty("required", out var required) && required.GetArrayLength() > 0);
        // A member written only by some answers is not required.
        Assert.DoesNotContain(schemas.GetProperty("AppResponse").GetProperty("required").EnumerateArray(), r => r.GetString() == "appSecret");

        // Creates answer 201 with their body; deletes 204 without one; /auth documents its bodies.
        var paths = document.GetProperty("paths");
        Assert.EndsWith("/CreatedAccountResponse", SchemaRef(paths.GetProperty("/admin/v1/accounts").GetProperty("post").GetProperty("responses").GetProperty("201")));
        Assert.False(paths.GetProperty("/v1/licenses/{licenseKey}").GetProperty("delete").GetProperty("responses").GetProperty("204").TryGetProperty("content", out _));
        Assert.EndsWith("/AuthValidateRequest", paths.GetProperty("/auth/validate").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        // Prose only: no citations of documents outside the repository, no C# member names.
        var text = new List<string>();
        void Collect(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "description" or "summary" && property.Value.ValueKind == JsonValueKind.String) text.Add(property.Value.GetString()!);
                    else Collect(property.Value);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) Collect(item);
            }
        }
        Collect(document);
        Assert.NotEmpty(text);
        Assert.All(text, t =>
        {
            Assert.DoesNotContain("§", t);
            Assert.DoesNotMatch(@"\b[\w-]+\.md\b", t.Replace("docs/protocol.md", ""));
            Assert.DoesNotMatch(@"\b[A-Z]\w+\.[A-Z]\w+", t);
            Assert.DoesNotContain("Optional", t);
        });
    }

    private static string SchemaRef(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
}
