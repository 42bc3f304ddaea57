using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>
/// <c>POST /v1/apps/{appId}/activation-requests</c> (docs/developer-api.md §4.3a): checks an activation request a
/// customer sent and shows what it asks for, before a file is minted. Changes nothing. Scope
/// <c>write:licenses</c> (the step before minting).
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}/activation-requests"), Produces("application/json")]
public sealed class ActivationRequestsController(IGrainFactory grains) : ControllerBase
{
    /// <summary>The armored request as <c>text/plain</c> (any non-JSON type is read as text), or <c>{"request": "…"}</c> as JSON.</summary>
    [HttpPost(Name = "parseActivationRequest"), RequireScope(DeveloperScopes.WriteLicenses)]
    public async Task<ActivationRequestResponse> Parse(string appId)
    {
        var app = await grains.FindApp(HttpContext.ApiCaller(), appId);
        var text = await ReadRequestTextAsync(Request, HttpContext.RequestAborted);
        return ActivationRequestResponse.From(Check(text, app.AppId, "request"));
    }

    /// <summary>The request for <paramref name="appId"/>, or a 400 whose detail starts with <c>{field}: {problem}</c>.</summary>
    internal static ActivationRequestInfo Check(string? text, string appId, string field)
    {
        var parsed = ActivationRequestParser.Parse(text, out var problem, out var explanation);
        if (parsed is null) throw ApiException.BadRequest($"{field}: {problem} ({explanation})");
        if (parsed.AppId != appId)
        {
            throw ApiException.BadRequest($"{field}: {ActivationRequestProblems.WrongApp} (the request was made for app {parsed.AppId}, not {appId})");
        }
        return parsed;
    }

    private static async Task<string> ReadRequestTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var body = await reader.ReadToEndAsync(cancellationToken);
        if (request.ContentType is { } type && type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var upload = JsonSerializer.Deserialize<ActivationRequestUpload>(body, JsonDefaults.Options);
                return upload?.Request ?? throw ApiException.BadRequest("request: required (the armored .authforge-request text)");
            }
            catch (JsonException)
            {
                throw ApiException.BadRequest("body: must be {\"request\": \"<armored .authforge-request text>\"} or the request itself as text/plain");
            }
        }
        return body;
    }
}
