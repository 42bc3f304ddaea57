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
        // Enum values in their exact wire spelling only: snake_case, except the values the specs spell
        // with hyphens ("hmac-v1", "reset-hwid").
        options.Converters.Add(new ExactEnumConverter(JsonNamingPolicy.SnakeCaseLower, new Dictionary<Type, JsonNamingPolicy>
        {
            [typeof(OrleansLicensing.Apps.SigningScheme)] = JsonNamingPolicy.KebabCaseLower,
            [typeof(OrleansLicensing.Licenses.LicenseAction)] = JsonNamingPolicy.KebabCaseLower,
        }));
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
