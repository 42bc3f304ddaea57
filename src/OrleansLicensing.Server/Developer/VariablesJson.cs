using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// Flat variable objects on the wire (docs/developer-api.md §4.2): string, number and boolean values,
/// at most 50 keys of 1–64 characters, at most 4 KB serialized. Numbers keep their JSON text, integral values as plain digits
/// (<see cref="Variables.CanonicalNumber"/>).
/// </summary>
public static class VariablesJson
{
    /// <summary>Most keys in one object.</summary>
    public const int MaxKeys = 50;
    /// <summary>Longest key, in characters.</summary>
    public const int MaxKeyLength = 64;
    /// <summary>Largest serialized object (compact UTF-8 JSON), in bytes.</summary>
    public const int MaxSerializedBytes = 4096;

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads a variable object, adding one detail per problem to <paramref name="details"/> (prefixed
    /// with <paramref name="field"/>). Returns the normalized set, or <c>null</c> if it is invalid.
    /// </summary>
    public static Variable[]? Parse(JsonElement value, string field, List<string> details)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            details.Add($"{field}: must be a JSON object");
            return null;
        }
        var variables = new List<Variable>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var valid = true;
        foreach (var property in value.EnumerateObject())
        {
            if (!TryReadStrings(property, out var name, out var text))
            {
                details.Add($"{field}: keys and values must be valid UTF-16 (no unpaired surrogates)");
                valid = false;
                continue;
            }
            if (name.Length is 0 or > MaxKeyLength)
            {
                details.Add($"{field}: key names must be 1-{MaxKeyLength} characters");
                valid = false;
                continue;
            }
            if (!names.Add(name))
            {
                details.Add($"{field}.{name}: duplicate key");
                valid = false;
                continue;
            }
            Variable? variable = property.Value.ValueKind switch
            {
                JsonValueKind.String => new Variable(name, VariableKind.String, text!),
                JsonValueKind.Number => new Variable(name, VariableKind.Number, Variables.CanonicalNumber(property.Value.GetRawText())),
                JsonValueKind.True => new Variable(name, VariableKind.Boolean, "true"),
                JsonValueKind.False => new Variable(name, VariableKind.Boolean, "false"),
                _ => null,
            };
            if (variable is null)
            {
                details.Add($"{field}.{name}: must be a string, number or boolean (variables are flat)");
                valid = false;
                continue;
            }
            if (variable.Kind == VariableKind.Number && !(property.Value.TryGetDouble(out var number) && double.IsFinite(number)))
            {
                // 1e400 is valid JSON text, but every client would read it as infinity.
                details.Add($"{field}.{name}: number out of range");
                valid = false;
                continue;
            }
            variables.Add(variable);
        }
        if (names.Count > MaxKeys)
        {
            details.Add($"{field}: at most {MaxKeys} keys");
            valid = false;
        }
        if (!valid) return null;

        var normalized = Variables.Normalize(variables);
        if (SerializedSize(normalized) > MaxSerializedBytes)
        {
            details.Add($"{field}: at most {MaxSerializedBytes} bytes serialized");
            return null;
        }
        return normalized;
    }

    // JSON escapes can spell an unpaired surrogate ("\ud800"), which cannot become a .NET string.
    private static bool TryReadStrings(JsonProperty property, out string name, out string? text)
    {
        try
        {
            name = property.Name;
            text = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            text = null;
            return false;
        }
    }

    /// <summary>Size in bytes of the compact UTF-8 JSON object.</summary>
    public static long SerializedSize(IReadOnlyList<Variable> variables)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            Write(writer, variables);
        }
        return buffer.Length;
    }

    /// <summary>A 200 whose body is the variables as one flat JSON object (<c>GET</c>/<c>PUT …/variables</c>).</summary>
    public static Microsoft.AspNetCore.Mvc.ContentResult Result(IReadOnlyList<Variable> variables)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            Write(writer, variables);
        }
        return new Microsoft.AspNetCore.Mvc.ContentResult
        {
            Content = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length),
            ContentType = "application/json; charset=utf-8",
            StatusCode = StatusCodes.Status200OK,
        };
    }

    /// <summary>Writes the variables as one flat JSON object, each value with its JSON type.</summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<Variable> variables)
    {
        writer.WriteStartObject();
        foreach (var variable in variables)
        {
            writer.WritePropertyName(variable.Name);
            switch (variable.Kind)
            {
                case VariableKind.Number:
                    writer.WriteRawValue(Variables.CanonicalNumber(variable.Text)); // also values stored before numbers were made canonical
                    break;
                case VariableKind.Boolean:
                    writer.WriteBooleanValue(variable.Text == "true");
                    break;
                default:
                    writer.WriteStringValue(variable.Text);
                    break;
            }
        }
        writer.WriteEndObject();
    }
}

/// <summary>Writes a variable list as a JSON object (put on response members).</summary>
public sealed class VariablesJsonConverter : JsonConverter<IReadOnlyList<Variable>>
{
    /// <inheritdoc />
    public override IReadOnlyList<Variable> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var details = new List<string>();
        return VariablesJson.Parse(document.RootElement, "variables", details)
            ?? throw new JsonException($"The JSON value could not be converted to variables: {string.Join("; ", details)}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyList<Variable> value, JsonSerializerOptions options) =>
        VariablesJson.Write(writer, value);
}
