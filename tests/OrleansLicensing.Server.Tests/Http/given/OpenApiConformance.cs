using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansLicensing.Server.Http.given;

/// <summary>
/// Checks real answers against <c>/openapi/v1.json</c>: the status must be one the operation
/// documents, and the body must match the schema documented for that status (a JSON Schema subset:
/// <c>$ref</c>, <c>type</c>, <c>enum</c>, <c>required</c>, <c>properties</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>oneOf</c>/<c>anyOf</c>, <c>maxProperties</c>,
/// <c>format: date-time</c>). Every operation checked is remembered, so a test can require that
/// all of them were.
/// </summary>
public sealed partial class OpenApiConformance(JsonElement document)
{
    private readonly HashSet<string> _checked = [];

    /// <summary>Operations (<c>METHOD /template</c>) checked so far.</summary>
    public IReadOnlySet<string> Checked => _checked;

    /// <summary>Every documented operation under <paramref name="prefixes"/>.</summary>
    public IEnumerable<string> Operations(params string[] prefixes) =>
        from path in document.GetProperty("paths").EnumerateObject()
        where prefixes.Any(p => path.Name.StartsWith(p, StringComparison.Ordinal))
        from operation in path.Value.EnumerateObject()
        select $"{operation.Name.ToUpperInvariant()} {path.Name}";

    /// <summary>Asserts that <paramref name="response"/> is documented for <paramref name="method"/> <paramref name="template"/>; returns its body.</summary>
    public async Task<JsonElement?> Check(HttpResponseMessage response, string method, string template)
    {
        var name = $"{method.ToUpperInvariant()} {template}";
        Assert.True(document.GetProperty("paths").TryGetProperty(template, out var item), $"{template} is not documented");
        Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{name} is not documented");
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(operation.GetProperty("responses").TryGetProperty(status, out var documented),
            $"{name} answered {status}, which its documentation does not list: {text}");
        _checked.Add(name);

        if (!documented.TryGetProperty("content", out var content))
        {
            Assert.True(text.Length == 0, $"{name} {status} is documented without a body but sent: {text}");
            return null;
        }
        Assert.True(content.TryGetProperty("application/json", out var media), $"{name} {status}: no JSON body documented");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        var problems = new List<string>();
        Validate(body, media.GetProperty("schema"), "$", problems);
        Assert.True(problems.Count == 0, $"{name} {status}: the body does not match the documented schema:\n  {string.Join("\n  ", problems)}\nbody: {text}");
        return body;
    }

    /// <summary>What in <paramref name="value"/> does not match the component schema <paramref name="component"/>.</summary>
    public List<string> Problems(JsonElement value, string component)
    {
        var problems = new List<string>();
        Validate(value, document.GetProperty("components").GetProperty("schemas").GetProperty(component), "$", problems);
        return problems;
    }

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out schema), $"dangling reference {reference}");
        }
        return schema;
    }

    private void Validate(JsonElement value, JsonElement schema, string at, List<string> problems)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object) return;
        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (!schema.TryGetProperty(keyword, out var alternatives)) continue;
            var matches = alternatives.EnumerateArray().Count(alternative =>
            {
                var inner = new List<string>();
                Validate(value, alternative, at, inner);
                return inner.Count == 0;
            });
            if (matches == 0) problems.Add($"{at}: matches none of the {keyword} alternatives");
        }
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
            if (!types.Any(t => IsOfType(value, t)))
            {
                problems.Add($"{at}: {value.ValueKind} where the documentation says {string.Join(" or ", types)}");
                return;
            }
        }
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.ValueKind == value.ValueKind && v.GetRawText() == value.GetRawText()))
        {
            problems.Add($"{at}: {value.GetRawText()} is not one of {values.GetRawText()}");
        }
        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
            && !Timestamp().IsMatch(value.GetString()!))
        {
            problems.Add($"{at}: '{value.GetString()}' is not a date-time");
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var element in value.EnumerateArray()) Validate(element, items, $"{at}[{i++}]", problems);
        }
        if (value.ValueKind != JsonValueKind.Object) return;
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var member in required.EnumerateArray())
            {
                if (!value.TryGetProperty(member.GetString()!, out _)) problems.Add($"{at}: lacks the required member {member.GetString()}");
            }
        }
        if (schema.TryGetProperty("maxProperties", out var max) && value.EnumerateObject().Count() > max.GetInt32())
        {
            problems.Add($"{at}: more than {max.GetInt32()} members");
        }
        var properties = schema.TryGetProperty("properties", out var declared) ? declared : default;
        foreach (var member in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(member.Name, out var memberSchema))
            {
                Validate(member.Value, memberSchema, $"{at}.{member.Name}", problems);
            }
            else if (schema.TryGetProperty("additionalProperties", out var additional))
            {
                if (additional.ValueKind == JsonValueKind.False) problems.Add($"{at}: undocumented member {member.Name}");
                else if (additional.ValueKind == JsonValueKind.Object) Validate(member.Value, additional, $"{at}.{member.Name}", problems);
            }
            else if (properties.ValueKind == JsonValueKind.Object)
            {
                problems.Add($"{at}: undocumented member {member.Name}");
            }
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => false,
    };

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex Timestamp();
}
