using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Account;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.Licenses;
using OrleansLicensing.Server.Developer.Webhooks;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// Makes the generated schemas say what the wire says: request members that may be left out are not
/// "required", response members that are omitted when empty are not either, implementation wrappers
/// are described as the value they carry, and descriptions read as API prose (no references to
/// documents outside the repository, no C# member names).
/// </summary>
public static partial class OpenApiSchemas
{
    /// <summary>
    /// The members a request body must carry, per request type. Everything else may be left out
    /// (the validation names a missing required member in <c>details</c>).
    /// </summary>
    private static readonly Dictionary<Type, string[]> RequiredRequestMembers = new()
    {
        [typeof(Operator.CreateAccountRequest)] = ["name"],
        [typeof(Operator.CreditGrantRequest)] = ["amount", "reason"],
        [typeof(Operator.AccountStatusRequest)] = [],
        [typeof(CreateApiKeyRequest)] = ["name", "scopes"],
        [typeof(CreateAppRequest)] = ["name"],
        [typeof(UpdateAppRequest)] = [],
        [typeof(CreateLicensesRequest)] = ["appId"],
        [typeof(UpdateLicenseRequest)] = ["action"],
        [typeof(Developer.Licenses.Offline.MintOfflineFileRequest)] = ["expiresAt"],
        [typeof(CreateWebhookRequest)] = ["url", "events"],
        [typeof(UpdateWebhookRequest)] = [],
        [typeof(SecurityEntryRequest)] = ["type", "value"],
        [typeof(ReplaceSecurityRequest)] = [],
    };

    /// <summary>Types described in place rather than as a component of their own.</summary>
    public static bool IsInlined(Type type) =>
        type == typeof(JsonElement) || type == typeof(JsonElement?) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>));

    /// <summary>The schema transformer.</summary>
    public static async Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            // The member is described as its value; leaving it out means "unchanged" (said in the member's description).
            var inner = await context.GetOrCreateSchemaAsync(type.GetGenericArguments()[0], null, cancellationToken);
            schema.Type = inner.Type;
            schema.Format = inner.Format;
            schema.Pattern = inner.Pattern;
            schema.Items = inner.Items;
            schema.Properties = inner.Properties;
            schema.Enum = inner.Enum;
            schema.OneOf = inner.OneOf;
            schema.AnyOf = inner.AnyOf;
            if (context.JsonPropertyInfo is null || schema.Description?.StartsWith("A request member that tells", StringComparison.Ordinal) == true)
            {
                schema.Description = context.JsonPropertyInfo is null ? null : "Leave out to keep the current value.";
            }
            if (!type.GetGenericArguments()[0].IsValueType && schema.Type is { } t) schema.Type = t | JsonSchemaType.Null; // null clears
        }

        var valueType = Nullable.GetUnderlyingType(type) ?? (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>) ? type.GetGenericArguments()[0] : type);
        var nullable = type != valueType && (Nullable.GetUnderlyingType(valueType) is not null || Nullable.GetUnderlyingType(type) is not null);
        valueType = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (valueType == typeof(DateTimeOffset))
        {
            // Written by the API's own converter: UTC to the second.
            schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = "date-time";
        }
        if (context.JsonPropertyInfo is { } member)
        {
            if (member.CustomConverter is VariablesJsonConverter || (valueType == typeof(JsonElement) && member.Name == "variables"))
            {
                var variables = AuthSchemas.Variables(schema.Description ?? "Variables.");
                schema.Type = valueType == typeof(JsonElement) ? JsonSchemaType.Object | JsonSchemaType.Null : JsonSchemaType.Object;
                schema.Items = null;
                schema.MaxProperties = variables.MaxProperties;
                schema.AdditionalProperties = variables.AdditionalProperties;
            }
            else if (valueType == typeof(JsonElement) && member.Name.EndsWith("list", StringComparison.OrdinalIgnoreCase))
            {
                schema.Type = JsonSchemaType.Array;
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            }
        }

        if (context.JsonPropertyInfo is null && schema.Required is { Count: > 0 })
        {
            if (RequiredRequestMembers.TryGetValue(type, out var required))
            {
                schema.Required = new HashSet<string>(required, StringComparer.Ordinal);
            }
            else
            {
                // Response members written only when they have a value.
                foreach (var property in context.JsonTypeInfo.Properties)
                {
                    if (OmittedWhenNull(property)) schema.Required.Remove(property.Name);
                }
            }
        }

        if (valueType.IsEnum && context.JsonTypeInfo.Options.GetConverter(valueType) is ExactEnumConverter.IWireNames wire)
        {
            // The names the API's converter reads and writes (System.Text.Json cannot describe a custom converter).
            // A nullable use elsewhere is described as "null or the enum"; the enum itself holds only its names.
            schema.Enum = [.. wire.Names.Select(n => (JsonNode)JsonValue.Create(n)!)];
            schema.Type = JsonSchemaType.String;
        }
        schema.Description = Clean(schema.Description);
    }

    /// <summary>
    /// Request members that refuse an explicit <c>null</c> (<see cref="RequestBodyNulls"/>) are described without
    /// it: the generator marks every nullable member nullable, and request records are nullable so that a
    /// member can be left out. Runs on the finished document, where a nullable reference is a <c>oneOf</c>.
    /// </summary>
    public static void DescribeRequestNulls(OpenApiDocument document)
    {
        foreach (var type in RequiredRequestMembers.Keys)
        {
            if (document.Components?.Schemas?.TryGetValue(type.Name, out var found) != true || found is not OpenApiSchema { Properties: { } members }) continue;
            foreach (var property in type.GetProperties())
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                if (!members.TryGetValue(name, out var member) || !RequestBodyNulls.RefusesNull(property.PropertyType, property)) continue;
                if (member is OpenApiSchema { OneOf: { } oneOf } && oneOf.OfType<OpenApiSchemaReference>().FirstOrDefault() is { } reference)
                {
                    members[name] = reference;
                }
                else if (member is OpenApiSchema { Type: { } memberType } schema)
                {
                    schema.Type = memberType & ~JsonSchemaType.Null;
                }
            }
        }
    }

    private static bool OmittedWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true
        || (property.AttributeProvider is ParameterInfo parameter
            && parameter.GetCustomAttributes<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull));

    /// <summary>
    /// API prose from doc comments: parentheses that cite documents (<c>(docs/protocol.md §3.5)</c>,
    /// <c>(§8)</c>) or point at C# members are dropped, with what is left tidied.
    /// </summary>
    public static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return text;
        var cleaned = Citation().Replace(text, "");
        cleaned = CodeReference().Replace(cleaned, "");
        cleaned = BareCitation().Replace(cleaned, "");
        cleaned = Whitespace().Replace(cleaned, " ").Replace(" .", ".").Replace(" ,", ",").Replace("()", "").Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <summary>A parenthesis that cites a document or section: <c>(docs/developer-api.md §4.3)</c>, <c>(§8)</c>, <c>(names of docs/developer-api.md §4.4)</c>.</summary>
    [GeneratedRegex(@"\s*\((?:[^()]|\([^()]*\))*?(?:§|\.md\b)(?:[^()]|\([^()]*\))*?\)")]
    private static partial Regex Citation();

    /// <summary>A parenthesis or clause that names a C# member, as doc comments render cross references: <c>(… see bool X.Y(…))</c>.</summary>
    [GeneratedRegex(@"\s*\((?:[^()]|\([^()]*\))*?\b[A-Z]\w*\.[A-Z]\w*(?:\([^()]*\))?(?:[^()]|\([^()]*\))*?\)")]
    private static partial Regex CodeReference();

    /// <summary>A citation outside parentheses: <c>docs/protocol.md §3.5</c>, <c>§8</c>; the folder goes with the file name.</summary>
    [GeneratedRegex(@"\s*(?:(?:\bdocs/)?[\w-]+\.md\s*)?§\s*[\d.]*\d|\s*(?:\bdocs/)?\b[\w-]+\.md\b")]
    private static partial Regex BareCitation();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Whitespace();
}
