using System.Collections.Concurrent;
using OrleansLicensing.Accounts;
using OrleansLicensing.Apps;
using OrleansLicensing.Views;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// This silo's copy of what every <c>/auth</c> request reads before it reaches a license: the app's
/// auth view (V3–V7) and its account's status (V6). Served from memory, so these cost a request no
/// grain call. Kept correct by their owners: an app or account change is stored, then dropped from
/// every silo's copy (<see cref="AuthViewBroadcast"/>) before the management API acknowledges it
/// (docs/protocol.md §11.6). A copy is trusted for at most <see cref="AuthViewLease.Duration"/> after
/// the fetch that made it started (a change whose drop a silo did not confirm waits that long), and is
/// refreshed in the background from half of that on, so a busy app never waits for a fetch.
/// </summary>
public sealed class AuthViews(IGrainFactory grains, TimeProvider time) : IAuthViewCache
{
    private readonly ConcurrentDictionary<string, AuthViewSlot<AppAuthView>> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthViewSlot<AccountView>> _accounts = new(StringComparer.Ordinal);

    /// <summary>The app's view, or <c>null</c> when no such app exists (absence is not cached).</summary>
    public ValueTask<AppAuthView?> App(string appId) =>
        _apps.GetOrAdd(appId, static (id, apps) => new AuthViewSlot<AppAuthView>(id, apps), _apps).GetAsync(
            id => SiloLossRetry.RunAsync(() => grains.Reference<IAppGrain>(IAppGrain.KeyFor(id)).GetAuthView(), time, CancellationToken.None), time);

    /// <summary>The account's status, or <c>null</c> when no such account exists.</summary>
    public async ValueTask<AccountStatus?> AccountStatus(string accountId)
    {
        var view = await _accounts.GetOrAdd(accountId, static (id, accounts) => new AuthViewSlot<AccountView>(id, accounts), _accounts).GetAsync(
            async id => (await SiloLossRetry.RunAsync(() => grains.Reference<IDeveloperAccountGrain>(id).Get(), time, CancellationToken.None)) is { } account
                ? new AccountView(account.Status)
                : null,
            time);
        return view?.Status;
    }

    /// <summary>Apps and accounts this silo holds a slot for (cached, or being fetched).</summary>
    internal int Slots => _apps.Count + _accounts.Count;

    /// <inheritdoc />
    public void Invalidate(AuthViewKey key)
    {
        switch (key.Kind)
        {
            case AuthViewKind.App when _apps.TryGetValue(key.Id, out var app):
                app.Invalidate();
                break;
            case AuthViewKind.Account when _accounts.TryGetValue(key.Id, out var account):
                account.Invalidate();
                break;
        }
    }

    private sealed record AccountView(AccountStatus Status);
}

/// <summary>
/// One cached view of <see cref="AuthViews"/>. Every invalidation starts a new generation; a fetch
/// stores its result only if no invalidation arrived while it ran, and a request joins a fetch in
/// flight only if that fetch started in the current generation and less than a lease ago (so never
/// one that may have read a view older than an acknowledged change: a silo that did not confirm an
/// invalidation is covered by the writer waiting one lease, and a fetch that started before that
/// wait began is not joined). A fetch that finds nothing removes its slot from <c>owner</c>: ids
/// that name nothing (any client can send them) hold no memory once their fetch is done. A later
/// request for the id starts a new slot, which fetches again, as an absent view always does.
/// </summary>
internal sealed class AuthViewSlot<T>(string id, ConcurrentDictionary<string, AuthViewSlot<T>> owner) where T : class
{
    private readonly Lock _gate = new();
    private long _generation;
    private Fetching? _fetching;

    private volatile Entry? _current;

    /// <summary>The cached value if its lease has not run out (else a fetch, joined or started).</summary>
    public ValueTask<T?> GetAsync(Func<string, Task<T?>> fetch, TimeProvider time)
    {
        var now = time.GetTimestamp();
        if (_current is { } entry && now < entry.ValidUntil)
        {
            if (now >= entry.RefreshAfter) RefreshInBackground(fetch, time);
            return ValueTask.FromResult<T?>(entry.Value);
        }
        return new ValueTask<T?>(Fetch(fetch, time));
    }

    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _current = null;
        }
    }

    private void RefreshInBackground(Func<string, Task<T?>> fetch, TimeProvider time)
    {
        lock (_gate)
        {
            if (Joinable(time.GetTimestamp(), time) is not null) return;
        }
        // A failed refresh leaves the current copy until its lease ends; the next request retries.
        // The refresh is the silo's work, not the request's: it does not carry the request's context.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Fetch(fetch, time).ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    /// <summary>A fetch in flight that a request may still join, or a new one.</summary>
    public Task<T?> Fetch(Func<string, Task<T?>> fetch, TimeProvider time)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (Joinable(now, time) is { } running) return running.Task;
            var fetching = new Fetching(_generation, now);
            _fetching = fetching;
            return fetching.Task = RunAsync(fetching, fetch, time);
        }
    }

    /// <summary>The fetch in flight if it started in this generation and within a lease of <paramref name="now"/> (call under the gate).</summary>
    private Fetching? Joinable(long now, TimeProvider time) =>
        _fetching is { } running && running.Generation == _generation && now - running.Started < Lease(time) ? running : null;

    private static long Lease(TimeProvider time) => (long)(AuthViewLease.Duration.TotalSeconds * time.TimestampFrequency);

    private async Task<T?> RunAsync(Fetching fetching, Func<string, Task<T?>> fetch, TimeProvider time)
    {
        await Task.Yield(); // the caller's lock is released before the fetch starts
        var lease = Lease(time);
        try
        {
            var value = await fetch(id);
            var forget = false;
            lock (_gate)
            {
                // A fetch that finishes after a later one does not replace the later one's copy.
                if (fetching.Generation == _generation && value is not null && (_current is null || _current.Started < fetching.Started))
                {
                    _current = new Entry(value, fetching.Started, fetching.Started + lease, fetching.Started + lease / 2);
                }
                forget = value is null && _current is null;
            }
            if (forget) owner.TryRemove(new KeyValuePair<string, AuthViewSlot<T>>(id, this));
            return value;
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_fetching, fetching)) _fetching = null;
            }
        }
    }

    private sealed record Entry(T Value, long Started, long ValidUntil, long RefreshAfter);

    /// <summary>One fetch: the generation it belongs to and when it started (before its read).</summary>
    private sealed class Fetching(long generation, long started)
    {
        public long Generation { get; } = generation;
        public long Started { get; } = started;
        public Task<T?> Task { get; set; } = null!;
    }
}
