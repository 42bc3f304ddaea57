namespace OrleansLicensing.Server.WebConsole;

/// <summary><see cref="ConsolePager"/>: the trail of cursors in the address that leads back.</summary>
public sealed class ConsolePagerTests
{
    private static readonly KeyValuePair<string, string?>[] Filters = [new("appId", "app-1"), new("label", null)];

    [Fact]
    public void The_first_page_leads_only_forward_keeping_the_filters()
    {
        var pager = new ConsolePager("/console/licenses", Filters, cursor: null, trail: "ignored", next: "c1");
        Assert.Equal((1, null, null), (pager.Number, pager.FirstUrl, pager.PreviousUrl));
        Assert.Equal("/console/licenses?appId=app-1&cursor=c1", pager.NextUrl);
    }

    [Fact]
    public void Each_page_remembers_the_pages_before_it_so_previous_and_first_lead_back()
    {
        var second = new ConsolePager("/console/licenses", Filters, "c1", null, "c2");
        Assert.Equal(2, second.Number);
        Assert.Equal("/console/licenses?appId=app-1", second.PreviousUrl);
        Assert.Equal("/console/licenses?appId=app-1&cursor=c2&back=c1", second.NextUrl);

        var fourth = new ConsolePager("/console/licenses", Filters, "c3", "c1.c2", next: null);
        Assert.Equal(4, fourth.Number);
        Assert.Equal("/console/licenses?appId=app-1&cursor=c2&back=c1", fourth.PreviousUrl);
        Assert.Equal("/console/licenses?appId=app-1", fourth.FirstUrl);
        Assert.Null(fourth.NextUrl);
    }

    [Fact]
    public void A_long_trail_forgets_its_oldest_pages_and_previous_stops_where_it_was_cut()
    {
        var trail = string.Join('.', Enumerable.Range(1, ConsolePager.MaxTrail).Select(i => $"c{i}"));
        var deep = new ConsolePager("/p", [], $"c{ConsolePager.MaxTrail + 1}", trail, "next");
        var next = new Uri("http://x" + deep.NextUrl!).Query;
        var kept = Uri.UnescapeDataString(next.Split("back=")[1]).Split('.');
        Assert.Equal(ConsolePager.MaxTrail, kept.Length);
        Assert.Equal(ConsolePager.Forgotten, kept[0]);
        Assert.Equal($"c{ConsolePager.MaxTrail + 1}", kept[^1]);

        var cut = new ConsolePager("/p", [], "c9", ConsolePager.Forgotten, null);
        Assert.Null(cut.Number);
        Assert.Null(cut.PreviousUrl);
        Assert.Equal("/p", cut.FirstUrl);
    }

    [Fact]
    public void A_single_page_draws_no_pager()
    {
        Assert.False(new ConsolePager("/p", [], null, null, null).HasPages);
        Assert.True(new ConsolePager("/p", [], "c1", null, null).HasPages);
    }
}
