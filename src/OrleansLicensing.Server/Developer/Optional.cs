using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// A request member that tells "absent" from "null": <c>{"dailyCreditCap": null}</c> clears the cap,
/// <c>{}</c> leaves it. Type errors inside are reported like any other member's.
/// </summary>
/// <param name="IsSet">Whether the member was present in the JSON body.</param>
/// <param name="Value">The value when present (may be <c>null</c>).</param>
[JsonConverter(typeof(OptionalJsonConverterFactory))]
public readonly record struct Optional<T>(bool IsSet, T Value);

/// <summary>Reads and writes <see cref="Optional{T}"/> with the converter of <c>T</c>.</summary>
public sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        // Called for a JSON null too: present-and-null is the point of this type.
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // The inner converter is called directly so that errors carry this member's path.
            var inner = (JsonConverter<T>)options.GetConverter(typeof(T));
            return new Optional<T>(true, inner.Read(ref reader, typeof(T), options)!);
        }

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            ((JsonConverter<T>)options.GetConverter(typeof(T))).Write(writer, value.Value, options);
    }
}
