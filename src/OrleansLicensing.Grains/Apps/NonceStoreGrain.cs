namespace OrleansLicensing.Apps;

/// <summary>
/// The nonces of one partition of one app's replay window (24 h), held in memory and kept active
/// for the whole window. Exact while the activation lives; stored on graceful deactivation (a
/// restart keeps the window), lost if the silo crashes (documented in docs/design.md).
/// </summary>
[CollectionAgeLimit(Hours = 25)]
public sealed class NonceStoreGrain(
    [PersistentState("nonces", Storage.LicensingStorage.Name)] IPersistentState<NonceStoreState> state,
    TimeProvider time) : Grain, INonceStoreGrain
{
    /// <summary>The replay window of auth-protocol.md §1.3.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, DateTimeOffset At)> _order = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var horizon = time.GetUtcNow() - Window;
        foreach (var entry in state.State.Nonces)
        {
            if (entry.At > horizon && _seen.TryAdd(entry.Nonce, entry.At)) _order.Enqueue((entry.Nonce, entry.At));
        }
        return Task.CompletedTask;
    }

    public Task<bool> TryRecord(string nonce)
    {
        var now = time.GetUtcNow();
        var horizon = now - Window;
        while (_order.TryPeek(out var oldest) && oldest.At <= horizon)
        {
            _order.Dequeue();
            _seen.Remove(oldest.Nonce);
        }
        if (!_seen.TryAdd(nonce, now)) return Task.FromResult(false);
        _order.Enqueue((nonce, now));
        return Task.FromResult(true);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var horizon = time.GetUtcNow() - Window;
        state.State.Nonces = [.. _order.Where(e => e.At > horizon).Select(e => new RecordedNonce(e.Nonce, e.At))];
        if (state.State.Nonces.Count == 0 && !state.RecordExists) return;
        await state.WriteStateAsync(cancellationToken);
    }
}

/// <summary>Stored form of <see cref="NonceStoreGrain"/> (written on deactivation only).</summary>
[GenerateSerializer]
public sealed class NonceStoreState
{
    [Id(0)] public List<RecordedNonce> Nonces { get; set; } = [];
}

/// <summary>A nonce and when it was first seen.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordedNonce([property: Id(0)] string Nonce, [property: Id(1)] DateTimeOffset At);
