using System.Text.Json;

namespace OrleansLicensing.Server.Http;

/// <summary>Times the management APIs accept (developer-api.md §2: ISO-8601 UTC strings).</summary>
public sealed class UtcTimestampConverterTests
{
    private static readonly DateTimeOffset Noon = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2030-01-01T12:00:00Z", 0)]
    [InlineData("2030-01-01T12:00:00.000Z", 0)]
    [InlineData("2030-01-01T12:00:00.5Z", 5_000_000)]
    [InlineData("2030-01-01T13:00:00+01:00", 0)]
    [InlineData("2030-01-01T07:00:00.0000000-05:00", 0)]
    public void Date_times_with_a_zone_are_read_as_utc(string text, long extraTicks)
    {
        var read = JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(text), JsonDefaults.Options);

        Assert.Equal(Noon.AddTicks(extraTicks), read);
        Assert.Equal(TimeSpan.Zero, read.Offset);
    }

    [Theory]
    [InlineData("2030-01-01T12:00:00")]
    [InlineData("2030-01-01")]
    [InlineData("2030-01-01 12:00:00Z")]
    [InlineData("01/01/2030 12:00:00")]
    [InlineData("Jan 1 2030 12:00")]
    [InlineData("2030-01-01T12:00Z")]
    [InlineData("")]
    public void Anything_else_is_refused(string text) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(text), JsonDefaults.Options));
}
