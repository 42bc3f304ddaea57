using System.Globalization;

namespace OrleansLicensing.Server.Http;

/// <summary>Cursors: opaque to clients, parsed once by the list that reads them.</summary>
public sealed class PaginationTests
{
    private static long? Sequence(string key) => long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    [Fact]
    public void A_cursor_decodes_to_the_parsed_key_it_was_made_from()
    {
        Assert.Equal(42L, Pagination.Decode("dlv", Pagination.Encode("dlv", "42"), Sequence));
        Assert.Equal((7L, "wh_1"), Pagination.Decode("wh", Pagination.Encode("wh", "7:wh_1"), key => key.Split(':') is [var t, var id] ? (long.Parse(t, CultureInfo.InvariantCulture), id) : ((long, string)?)null));
    }

    [Fact]
    public void No_cursor_is_the_first_page()
    {
        Assert.Null(Pagination.Decode("dlv", null, Sequence));
        Assert.Null(Pagination.Decode("dlv", "", Sequence));
    }

    [Theory]
    [InlineData("not base64 %%%")]
    [InlineData("bGljOjQy")] // "lic:42": another list's cursor
    public void A_cursor_of_another_list_or_none_at_all_is_a_400(string cursor)
    {
        var error = Assert.Throws<ApiException>(() => Pagination.Decode("dlv", cursor, Sequence));

        Assert.Equal(ApiErrors.BadRequest, error.Error);
        Assert.Equal(["cursor: not a cursor returned by this list"], error.Details);
    }

    [Fact]
    public void A_cursor_whose_key_does_not_parse_is_a_400()
    {
        Assert.Throws<ApiException>(() => Pagination.Decode("dlv", Pagination.Encode("dlv", "x1"), Sequence));
    }
}
