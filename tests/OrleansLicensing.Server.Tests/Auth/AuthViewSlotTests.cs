using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using OrleansLicensing.Views;

namespace OrleansLicensing.Server.Auth;

/// <summary>One cached view of a silo (§11.6): which fetch a request may join, and what it may cache.</summary>
public sealed class AuthViewSlotTests
{
    [Fact]
    public async Task A_request_does_not_join_a_fetch_that_started_more_than_a_lease_ago()
    {
        // A silo that stalled longer than the lease did not confirm a change's invalidation, and the
        // writer acknowledged the change after waiting the lease. A fetch that started before the stall
        // may have read the old view: a request after it must fetch again instead of joining it.
        var clock = new FakeTimeProvider();
        var slot = NewSlot();
        var stale = new TaskCompletionSource<string?>();
        var first = slot.Fetch(_ => stale.Task, clock);

        clock.Advance(AuthViewLease.Duration + TimeSpan.FromSeconds(1));
        var fetches = 0;
        var second = await Within(slot.GetAsync(_ => { fetches++; return Task.FromResult<string?>("new"); }, clock));

        Assert.Equal(1, fetches);
        Assert.Equal("new", second);
        stale.SetResult("old");
        Assert.Equal("old", await first); // its own caller gets what it read …
        var cached = await Within(slot.GetAsync(_ => { fetches++; return Task.FromResult<string?>("other"); }, clock));
        Assert.Equal("new", cached); // … but it does not replace the later fetch's copy
        Assert.Equal(1, fetches);
    }

    [Fact]
    public async Task Requests_within_a_lease_share_one_fetch()
    {
        var clock = new FakeTimeProvider();
        var slot = NewSlot();
        var running = new TaskCompletionSource<string?>();
        var fetches = 0;
        Task<string?> Fetch(string _) { fetches++; return running.Task; }

        var first = slot.GetAsync(Fetch, clock).AsTask();
        clock.Advance(AuthViewLease.Duration - TimeSpan.FromSeconds(1));
        var second = slot.GetAsync(Fetch, clock).AsTask();
        running.SetResult("view");

        Assert.Equal(["view", "view"], await Task.WhenAll(first, second));
        Assert.Equal(1, fetches);
    }

    [Fact]
    public async Task A_fetch_that_started_before_an_invalidation_is_not_joined()
    {
        var clock = new FakeTimeProvider();
        var slot = NewSlot();
        var before = new TaskCompletionSource<string?>();
        var first = slot.Fetch(_ => before.Task, clock);

        slot.Invalidate();
        var fetches = 0;
        var after = await Within(slot.GetAsync(_ => { fetches++; return Task.FromResult<string?>("changed"); }, clock));
        before.SetResult("old");
        await first;

        Assert.Equal("changed", after);
        Assert.Equal(1, fetches);
    }

    [Fact]
    public async Task A_fetch_that_started_before_an_invalidation_is_not_cached()
    {
        var clock = new FakeTimeProvider();
        var slot = NewSlot();
        var before = new TaskCompletionSource<string?>();
        var first = slot.Fetch(_ => before.Task, clock);
        slot.Invalidate();
        before.SetResult("old");
        Assert.Equal("old", await first);

        var fetches = 0;
        var next = await Within(slot.GetAsync(_ => { fetches++; return Task.FromResult<string?>("changed"); }, clock));

        Assert.Equal("changed", next);
        Assert.Equal(1, fetches);
    }

    /// <summary>A join of the wrong fetch would wait for it forever: fail instead.</summary>
    private static Task<string?> Within(ValueTask<string?> pending) =>
        pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    private static AuthViewSlot<string> NewSlot()
    {
        var owner = new ConcurrentDictionary<string, AuthViewSlot<string>>();
        return owner.GetOrAdd("app", static (id, o) => new AuthViewSlot<string>(id, o), owner);
    }
}
