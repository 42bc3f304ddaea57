using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// Enum values as strings, read only in their exact wire spelling (<c>"revoke"</c>, <c>"hmac-v1"</c>):
/// System.Text.Json's own <see cref="JsonStringEnumConverter"/> falls back to a case-insensitive,
/// whitespace-trimming parse of the member name, so it took <c>"REVOKE"</c>, <c>" revoke"</c> and
/// <c>"ED25519"</c> but not <c>"HMAC-V1"</c>. Every other spelling, and numbers, are a 400 like any
/// value outside the enum (developer-api.md §2).
/// </summary>
/// <param name="policy">How a member's name becomes its wire value.</param>
/// <param name="overrides">Enums spelled with another policy than <paramref name="policy"/>.</param>
public sealed class ExactEnumConverter(JsonNamingPolicy policy, IReadOnlyDictionary<Type, JsonNamingPolicy>? overrides = null) : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(
            typeof(Converter<>).MakeGenericType(typeToConvert),
            overrides is not null && overrides.TryGetValue(typeToConvert, out var own) ? own : policy)!;

    /// <summary>The wire names of one enum, in declaration order (for the OpenAPI document).</summary>
    public interface IWireNames
    {
        /// <summary>Every value's wire name.</summary>
        IReadOnlyList<string> Names { get; }
    }

    private sealed class Converter<T> : JsonConverter<T>, IWireNames where T : struct, Enum
    {
        private readonly FrozenDictionary<string, T> _byName;
        private readonly FrozenDictionary<T, string> _byValue;

        public Converter(JsonNamingPolicy policy)
        {
            var values = Enum.GetValues<T>();
            Names = [.. values.Select(v => policy.ConvertName(v.ToString()))];
            _byName = values.Index().ToFrozenDictionary(v => Names[v.Index], v => v.Item, StringComparer.Ordinal);
            _byValue = values.Index().ToFrozenDictionary(v => v.Item, v => Names[v.Index]);
        }

        public IReadOnlyList<string> Names { get; }

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // A JsonException without a message: System.Text.Json fills in "could not be converted" with the
            // member's path, which the 400 reports as that field's wrong type or unknown value
            // (ErrorResponses.InvalidModelState), as it does for every other value of the wrong kind.
            return reader.TokenType == JsonTokenType.String && _byName.TryGetValue(reader.GetString()!, out var value)
                ? value
                : throw new JsonException();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(_byValue.TryGetValue(value, out var name) ? name : throw new JsonException($"{typeof(T).Name} has no value {value}"));
    }
}
