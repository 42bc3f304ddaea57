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
    private readonly ConcurrentDictionary<string, Slot<AppAuthView>> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Slot<AccountView>> _accounts = new(StringComparer.Ordinal);

    /// <summary>The app's view, or <c>null</c> when no such app exists (absence is not cached).</summary>
    public ValueTask<AppAuthView?> App(string appId) =>
        GetAsync(_apps.GetOrAdd(appId, static (id, apps) => new Slot<AppAuthView>(id, apps), _apps),
            id => SiloLossRetry.RunAsync(() => grains.Reference<IAppGrain>(IAppGrain.KeyFor(id)).GetAuthView(), time, CancellationToken.None));

    /// <summary>The account's status, or <c>null</c> when no such account exists.</summary>
    public async ValueTask<AccountStatus?> AccountStatus(string accountId)
    {
        var view = await GetAsync(_accounts.GetOrAdd(accountId, static (id, accounts) => new Slot<AccountView>(id, accounts), _accounts),
            async id => (await SiloLossRetry.RunAsync(() => grains.Reference<IDeveloperAccountGrain>(id).Get(), time, CancellationToken.None)) is { } account
                ? new AccountView(account.Status)
                : null);
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

    private ValueTask<T?> GetAsync<T>(Slot<T> slot, Func<string, Task<T?>> fetch) where T : class
    {
        var now = time.GetTimestamp();
        if (slot.Current is { } entry && now < entry.ValidUntil)
        {
            if (now >= entry.RefreshAfter) slot.RefreshInBackground(fetch, time);
            return ValueTask.FromResult<T?>(entry.Value);
        }
        return new ValueTask<T?>(slot.Fetch(fetch, time));
    }

    private sealed record AccountView(AccountStatus Status);

    private sealed record Entry<T>(T Value, long ValidUntil, long RefreshAfter);

    /// <summary>
    /// One cached view. Every invalidation starts a new generation; a fetch stores its result only if
    /// no invalidation arrived while it ran, and a request joins a fetch in flight only if that fetch
    /// started in the current generation (so never one that may have read the old view). A fetch that
    /// finds nothing removes its slot from <paramref name="owner"/>: ids that name nothing (any client
    /// can send them) hold no memory once their fetch is done. A later request for the id starts a
    /// new slot, which fetches again, as an absent view always does.
    /// </summary>
    private sealed class Slot<T>(string id, ConcurrentDictionary<string, Slot<T>> owner) where T : class
    {
        private readonly Lock _gate = new();
        private long _generation;
        private Task<T?>? _fetching;
        private long _fetchingGeneration;

        public volatile Entry<T>? Current;

        public void Invalidate()
        {
            lock (_gate)
            {
                _generation++;
                Current = null;
            }
        }

        public void RefreshInBackground(Func<string, Task<T?>> fetch, TimeProvider time)
        {
            lock (_gate)
            {
                if (_fetching is not null && _fetchingGeneration == _generation) return;
            }
            // A failed refresh leaves the current copy until its lease ends; the next request retries.
            // The refresh is the silo's work, not the request's: it does not carry the request's context.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Fetch(fetch, time).ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
        }

        public Task<T?> Fetch(Func<string, Task<T?>> fetch, TimeProvider time)
        {
            lock (_gate)
            {
                if (_fetching is not null && _fetchingGeneration == _generation) return _fetching;
                _fetchingGeneration = _generation;
                return _fetching = RunAsync(_generation, fetch, time);
            }
        }

        private async Task<T?> RunAsync(long generation, Func<string, Task<T?>> fetch, TimeProvider time)
        {
            await Task.Yield(); // the caller's lock is released before the fetch starts
            var started = time.GetTimestamp();
            var lease = (long)(AuthViewLease.Duration.TotalSeconds * time.TimestampFrequency);
            try
            {
                var value = await fetch(id);
                var forget = false;
                lock (_gate)
                {
                    if (generation == _generation && value is not null)
                    {
                        Current = new Entry<T>(value, started + lease, started + lease / 2);
                    }
                    forget = value is null && Current is null;
                }
                if (forget) owner.TryRemove(new KeyValuePair<string, Slot<T>>(id, this));
                return value;
            }
            finally
            {
                lock (_gate)
                {
                    if (_fetchingGeneration == generation) _fetching = null;
                }
            }
        }
    }
}
