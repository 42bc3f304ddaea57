using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// Times on the wire are ISO-8601 UTC with a Z, to the second: <c>2026-11-26T12:00:00Z</c>. Read: an
/// RFC 3339 date-time, with optional fraction and a zone that is <c>Z</c> or an offset
/// (<c>2026-11-26T13:00:00.5+01:00</c>); a time without a zone, a date alone or any other layout is a
/// 400, since which instant it names would be a guess.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value)) return value;
        throw new JsonException("The JSON value could not be converted to a timestamp.");
    }

    /// <summary>Reads an RFC 3339 date-time with its zone (see the class), as UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed.ToUniversalTime();
            return true;
        }
        value = default;
        return false;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>The wire form of a time.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
