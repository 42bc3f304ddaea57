using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Formatters;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// The null rule of request bodies on <c>/v1</c> and <c>/admin/v1</c>: a member sent as <c>null</c> is a 400
/// naming it (<c>"name: must not be null"</c>), unless null has a meaning there — the member is marked
/// <see cref="AcceptsNullAttribute"/>, or it is an <see cref="Developer.Optional{T}"/>, which tells absent
/// from null itself. Request records keep nullable members so that "absent" stays expressible; without
/// this rule <c>{"name": null}</c> would read as "absent" and answer 200 having changed nothing.
/// </summary>
public static class RequestBodyNulls
{
    /// <summary>The problem named in <c>details</c> (<c>"{member}: must not be null"</c>).</summary>
    public const string Refusal = "must not be null";

    /// <summary>
    /// Reads request bodies with the API's JSON rules plus the null rule; responses keep the shared options
    /// (a response may well say <c>null</c>).
    /// </summary>
    public static IMvcBuilder AddRequestBodyNullRule(this IMvcBuilder mvc)
    {
        var options = new JsonOptions();
        Apply(JsonDefaults.Apply(options.JsonSerializerOptions));
        mvc.Services.AddOptions<MvcOptions>().Configure<ILoggerFactory>((mvcOptions, loggers) =>
        {
            var formatters = mvcOptions.InputFormatters;
            for (var i = 0; i < formatters.Count; i++)
            {
                if (formatters[i] is SystemTextJsonInputFormatter)
                {
                    formatters[i] = new SystemTextJsonInputFormatter(options, loggers.CreateLogger<SystemTextJsonInputFormatter>());
                }
            }
        });
        return mvc;
    }

    /// <summary>Adds the null rule to <paramref name="options"/> (request bodies only).</summary>
    private static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RefuseNulls);
        return options;
    }

    /// <summary>Whether a request member refuses an explicit <c>null</c>: it could hold one, and null means nothing there.</summary>
    public static bool RefusesNull(Type memberType, ICustomAttributeProvider? member) =>
        (!memberType.IsValueType || Nullable.GetUnderlyingType(memberType) is not null)
        && member?.IsDefined(typeof(AcceptsNullAttribute), inherit: true) != true;

    private static void RefuseNulls(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (!RefusesNull(property.PropertyType, property.AttributeProvider)) continue;
            property.CustomConverter = (JsonConverter)Activator.CreateInstance(
                typeof(NullRefusingConverter<>).MakeGenericType(property.PropertyType), property.Name, property.CustomConverter)!;
        }
    }

    /// <summary>The member's own reading, behind a check for a JSON null.</summary>
    /// <param name="member">The member's JSON name, to place errors inside its value (<c>$.events[0]</c>).</param>
    /// <param name="custom">The member's own converter (a <c>[JsonConverter]</c> on it), if any.</param>
    private sealed class NullRefusingConverter<T>(string member, JsonConverter? custom) : JsonConverter<T>
    {
        // Called for a JSON null too: that is the token this converter is for.
        public override bool HandleNull => true;

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // The serializer adds the member's path ("$.name"); the model-state error names the member from it.
            if (reader.TokenType == JsonTokenType.Null) throw new JsonException(Refusal);
            if (custom is JsonConverter<T> converter) return converter.Read(ref reader, typeToConvert, options);
            try
            {
                // Read as the serializer reads the type, so that an error inside an array keeps its place.
                return JsonSerializer.Deserialize<T>(ref reader, options);
            }
            catch (JsonException error) when (error.Path is { } path)
            {
                // The nested read's path starts at this member's value; the member is a top-level one of a body.
                throw new JsonException(error.Message, $"$.{member}{path[1..]}", error.LineNumber, error.BytePositionInLine, error);
            }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (value is null) writer.WriteNullValue();
            else if (custom is JsonConverter<T> converter) converter.Write(writer, value, options);
            else JsonSerializer.Serialize(writer, value, options);
        }
    }
}
