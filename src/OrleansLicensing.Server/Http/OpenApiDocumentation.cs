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

    public static IServiceCollection AddLicensingOpenApi(this IServiceCollection services)
    {
        // The document is generated from these JSON options: give it the controllers' rules, so that
        // enums are the strings the API sends and numbers are numbers, not "number or numeric string".
        services.ConfigureHttpJsonOptions(o => JsonDefaults.Apply(o.SerializerOptions));
        return services.AddOpenApi("v1", options =>
        {
            // Wrapper types of the implementation get no component of their own: they are described as what they carry.
            options.CreateSchemaReferenceId = type => OpenApiSchemas.IsInlined(type.Type) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddSchemaTransformer(OpenApiSchemas.Describe);
            options.AddOperationTransformer(DescribeOperation);
            options.AddDocumentTransformer(DescribeDocument);
        });
    }

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
            Description = "The SDK protocol (/auth, signed answers for licensed programs; docs/protocol.md in the repository describes it end to end), "
                + "the developer API (/v1, with an API key) and the operator API (/admin/v1, with the operator token).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in AuthSchemas.All()) document.Components.Schemas[name] = schema;
        document.Components.Schemas[VariablesSchema] = AuthSchemas.Variables("A flat object of variables: 1–64 character names, string, number or boolean values, "
            + "at most 50 members and 4 KB of compact JSON. Numbers are written back exactly as sent.");
        document.Components.Schemas[ApiErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Error body of /v1 and /admin/v1.",
            Required = new HashSet<string> { "error", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The error code; the HTTP status follows from it.",
                    Enum = [.. ApiErrors.All.Select(e => (JsonNode)JsonValue.Create(e.Code)!)],
                },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for a person to read." },
                ["details"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "With bad_request: one entry per problem, each starting with the member it concerns (\"name: required\").",
                },
            },
        };
        document.Components.Schemas[AuthFailureSchema] = AuthSchemas.Failure();
        OpenApiSchemas.DescribeRequestNulls(document);
        foreach (var schema in document.Components.Schemas.Values.OfType<OpenApiSchema>()) schema.Description = OpenApiSchemas.Clean(schema.Description);
        // Variables are written as flat objects (Variables); the internal record of one entry is not on the wire.
        document.Components.Schemas.Remove("Variable");
        document.Components.Schemas.Remove("VariableKind");
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
            Description = "The operator token (Licensing:OperatorToken, or the file operator-token in the data directory).",
        };
        return Task.CompletedTask;
    }

    private const string VariablesSchema = "Variables";

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "");
        var method = context.Description.HttpMethod ?? "GET";
        var mutating = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
        operation.Responses ??= new OpenApiResponses();
        var document = context.Document;
        operation.OperationId = OperationId(context.Description, path);
        operation.Summary = OpenApiSchemas.Clean(operation.Summary);
        operation.Description = OpenApiSchemas.Clean(operation.Description);
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter p) p.Description = OpenApiSchemas.Clean(p.Description);
        }

        if (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/admin/v1/", StringComparison.Ordinal))
        {
            var developer = path.StartsWith("/v1/", StringComparison.Ordinal);
            if (operation.Responses.TryGetValue("204", out var noContent) && noContent is OpenApiResponse empty)
            {
                empty.Content = null; // 204 has no body, whatever the controller's default media type says
                empty.Description = "Done; no body.";
            }
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(developer ? ApiKeyScheme : OperatorScheme, document)] = [] }];
            if (path.EndsWith("/variables", StringComparison.Ordinal))
            {
                // The controller writes the object itself: say what it is.
                operation.Responses["200"] = new OpenApiResponse
                {
                    Description = "The variables.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(VariablesSchema, document) } },
                };
                if (HttpMethods.IsPut(method))
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Description = "The whole new set: members not in it are removed.",
                        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference(VariablesSchema, document) } },
                    };
                }
            }
            var errors = new List<(ApiErrorCode Error, string When)>
            {
                (ApiErrors.BadRequest, "Malformed JSON, invalid fields or query parameters (details name each), or a body over 1 MiB."),
                (ApiErrors.InvalidApiKey, developer ? "Missing, malformed, unknown, expired or revoked API key." : "Missing or wrong operator token."),
            };
            if (developer && HttpMethods.IsPost(method) && path.EndsWith("/offline-files", StringComparison.Ordinal))
            {
                // The one /v1 operation that costs credits (developer-api.md §4.3a).
                errors.Add((ApiErrors.NoCredits, "Minting costs 1 credit: the balance is below 1, or the app's daily credit cap is reached."));
            }
            if (developer) errors.Add((ApiErrors.Forbidden, "The resource belongs to another account, the key lacks the scope, or the account is suspended."));
            errors.Add((ApiErrors.NotFound, "The resource does not exist."));
            if (mutating) errors.Add((ApiErrors.Conflict, "Idempotency-Key reused with a different request, or still in progress."));
            if (developer) errors.Add((ApiErrors.RateLimited, "Over the API key's rate limit; Retry-After says when to try again."));
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
                        Description = "Up to 255 characters. A retry with the same key and body within 24 h replays the first response (with Idempotent-Replayed: true); another body is 409.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }
            }
        }
        else if (path.Contains("/auth/", StringComparison.Ordinal))
        {
            AuthSchemas.DescribeOperation(operation, path[(path.LastIndexOf('/') + 1)..], document);
            foreach (var group in AuthErrors.All.GroupBy(e => e.SemanticStatus()))
            {
                var codes = string.Join(", ", group.Select(e => $"`{e.Code()}`"));
                AddError(operation, document, group.Key,
                    $"{codes} — for apps in the semantic failure mode. Apps in the default always200 mode answer these with 200 and the same body.", AuthFailureSchema);
                if (group.Key == StatusCodes.Status429TooManyRequests)
                {
                    var response = (OpenApiResponse)operation.Responses["429"]!;
                    response.Headers = new Dictionary<string, IOpenApiHeader>
                    {
                        ["Retry-After"] = new OpenApiHeader { Description = "With rate_limited: whole seconds until a retry can succeed.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
                    };
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The operation's id: the route name of its action (<c>[HttpGet(Name = "listApps")]</c>), chosen by hand so
    /// that renaming a C# method never changes it; an <c>/auth</c> endpoint is named by its last segment.
    /// </summary>
    private static string? OperationId(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description, string path) =>
        description.ActionDescriptor.AttributeRouteInfo?.Name
        ?? (path.Contains("/auth/", StringComparison.Ordinal) ? AuthSchemas.OperationId(path[(path.LastIndexOf('/') + 1)..]) : null);

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
