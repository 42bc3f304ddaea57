using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Server.Http;

/// <summary>JSON rules of the management APIs: camelCase, snake_case enum values, unknown fields and duplicate keys rejected.</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        // {"amount":5,"amount":500} is ambiguous; refuse it rather than silently taking the last value.
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new RawJsonElementConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new UtcTimestampConverter());
        // Values the specs spell with hyphens ("hmac-v1", "reset-hwid"); must precede the general enum converter.
        options.Converters.Add(new JsonStringEnumConverter<OrleansLicensing.Apps.SigningScheme>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<OrleansLicensing.Licenses.LicenseAction>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        return options;
    }

    /// <summary>
    /// <see cref="JsonElement"/> members are raw values their controllers validate (VariablesJson names a
    /// duplicate key with its path, an unpaired surrogate with its own detail); read them as sent.
    /// </summary>
    private sealed class RawJsonElementConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.Clone();
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
    }
}
