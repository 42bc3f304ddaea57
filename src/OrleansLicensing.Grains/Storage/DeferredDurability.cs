namespace OrleansLicensing.Storage;

/// <summary>
/// Splits a storage write into "committed" and "durable" for a caller that can use the gap: the
/// group-commit loop of an account starts its next batch once a write is committed (visible to
/// every later read, ordered before every later write) and completes the write's callers only once
/// it is durable. On SQLite the two differ by the shared WAL <c>fsync</c>, which under load took as
/// long as the commit itself (docs/benchmarks.md); on PostgreSQL a commit is durable when it returns.
/// </summary>
/// <remarks>
/// The caller opens a scope (<see cref="Begin"/>) around the write; the storage, instead of waiting
/// for durability itself, hands the wait over (<see cref="TryDefer"/>) and returns once committed.
/// Without a scope the storage waits as before. The scope flows with the execution context of the
/// write; every wait handed over within it is kept, and <see cref="Durable"/> completes after all of them.
/// </remarks>
public sealed class DeferredDurability
{
    private static readonly AsyncLocal<DeferredDurability?> Ambient = new();
    private readonly Lock _lock = new();
    private Task? _pending;

    private DeferredDurability()
    {
    }

    /// <summary>Completes when every write made in the scope is durable (at once if none handed a wait over).</summary>
    public Task Durable
    {
        get
        {
            lock (_lock) return _pending ?? Task.CompletedTask;
        }
    }

    /// <summary>Opens a scope on the current execution context; dispose it right after the write returns.</summary>
    public static Scope Begin()
    {
        var deferral = new DeferredDurability();
        var outer = Ambient.Value;
        Ambient.Value = deferral;
        return new Scope(deferral, outer);
    }

    /// <summary>
    /// Called by a storage after its commit: when the write runs in a scope, the scope takes
    /// <paramref name="durable"/> and the storage must not wait for it (true); otherwise false.
    /// </summary>
    public static bool TryDefer(Task durable)
    {
        if (Ambient.Value is not { } deferral) return false;
        lock (deferral._lock)
        {
            deferral._pending = deferral._pending is null ? durable : Task.WhenAll(deferral._pending, durable);
        }
        return true;
    }

    /// <summary>The open scope; <see cref="Dispose"/> restores the one it replaced.</summary>
    public readonly struct Scope(DeferredDurability deferral, DeferredDurability? outer) : IDisposable
    {
        /// <summary>See <see cref="DeferredDurability.Durable"/>.</summary>
        public Task Durable => deferral.Durable;

        public void Dispose() => Ambient.Value = outer;
    }
}
