using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansLicensing.Server.Auth;
using Scalar.AspNetCore;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// The OpenAPI description of the whole HTTP surface at <c>/openapi/v1.json</c> (generated from the
/// controllers) and a browsable reference at <c>/docs</c>. Errors are documented from the same
/// registries that produce them (<see cref="ApiErrors"/>, <see cref="AuthErrors"/>).
/// </summary>
public static class OpenApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    private const string ApiErrorSchema = "Error";
    private const string AuthFailureSchema = "AuthFailure";
    private const string ApiKeyScheme = "apiKey";
    private const string OperatorScheme = "operatorToken";

    public static IServiceCollection AddLicensingOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer(DescribeOperation);
        });

    public static void MapLicensingDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.WithTitle("OrleansLicensing API");
            options.WithOpenApiRoutePattern("/openapi/{documentName}.json");
        });
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OrleansLicensing",
            Version = "v1",
            Description = "SDK protocol (/auth, AuthForge-compatible), developer API (/v1, API key) and operator API (/admin/v1, operator token).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ApiErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Error body of /v1 and /admin/v1 (developer-api.md §2).",
            Required = new HashSet<string> { "error", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. ApiErrors.All.Select(e => (JsonNode)JsonValue.Create(e.Code)!)],
                },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["details"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
        document.Components.Schemas[AuthFailureSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Failure body of /auth/* (auth-protocol.md §3.5). Apps in the always200 mode send it with 200.",
            Required = new HashSet<string> { "status", "error" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("failed")!] },
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. AuthErrors.All.Select(e => (JsonNode)JsonValue.Create(e.Code())!)],
                },
            },
        };
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A developer API key (af_live_…).",
        };
        document.Components.SecuritySchemes[OperatorScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The operator token (Licensing__OperatorToken).",
        };
        return Task.CompletedTask;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "");
        var method = context.Description.HttpMethod ?? "GET";
        var mutating = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
        operation.Responses ??= new OpenApiResponses();
        var document = context.Document;

        if (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/admin/v1/", StringComparison.Ordinal))
        {
            var developer = path.StartsWith("/v1/", StringComparison.Ordinal);
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(developer ? ApiKeyScheme : OperatorScheme, document)] = [] }];
            var errors = new List<(ApiErrorCode Error, string When)>
            {
                (ApiErrors.BadRequest, "Malformed JSON, invalid fields or query parameters (details name each), or a body over 1 MiB."),
                (ApiErrors.InvalidApiKey, developer ? "Missing, malformed, unknown, expired or revoked API key." : "Missing or wrong operator token."),
            };
            if (developer) errors.Add((ApiErrors.Forbidden, "The resource belongs to another account, the key lacks the scope, or the account is suspended."));
            errors.Add((ApiErrors.NotFound, "The resource does not exist."));
            if (mutating) errors.Add((ApiErrors.Conflict, "Idempotency-Key reused with a different request, or still in progress."));
            if (developer) errors.Add((ApiErrors.RateLimited, "Over the API key's rate limit; see Retry-After."));
            errors.Add((ApiErrors.InternalError, "Unexpected server fault; the X-Request-Id header identifies it in the log."));
            foreach (var (error, when) in errors)
            {
                AddError(operation, document, error.Status, $"`{error.Code}`: {when}", ApiErrorSchema);
            }
            if (mutating)
            {
                operation.Parameters ??= [];
                if (!operation.Parameters.Any(p => p.Name == "Idempotency-Key"))
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "Idempotency-Key",
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Up to 255 characters. A retry with the same key and body within 24 h replays the first response; another body is 409.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }
            }
        }
        else if (path.Contains("/auth/", StringComparison.Ordinal))
        {
            foreach (var group in AuthErrors.All.GroupBy(e => e.SemanticStatus()))
            {
                var codes = string.Join(", ", group.Select(e => $"`{e.Code()}`"));
                AddError(operation, document, group.Key,
                    $"{codes} (semantic mode; an app in the default always200 mode answers these with 200 and the same body).", AuthFailureSchema);
            }
        }
        return Task.CompletedTask;
    }

    private static void AddError(OpenApiOperation operation, OpenApiDocument? document, int status, string description, string schema)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) },
            },
        };
    }
}
