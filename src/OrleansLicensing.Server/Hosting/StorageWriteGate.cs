using Orleans.Storage;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Lets one write at a time reach SQLite from this process. SQLite has a single writer; without the
/// gate, concurrent writers (group commits, license writes, auth-log batches) collide, and the driver
/// answers a busy database by blocking a thread-pool thread in 150 ms sleeps, which showed up as
/// 150–800 ms p99 latencies under load (docs/benchmarks.md). Waiting here is asynchronous and in
/// arrival order. PostgreSQL needs no gate: it has row-level locking.
/// <para>Every writer of this process takes it: grain storage (<see cref="GatedGrainStorage"/>), the
/// auth log, the webhook outbox and the idempotency store. One writer left outside would stall the
/// turn holder in those sleeps, and everything queued behind it.</para>
/// <para>With a <see cref="SqliteWalSync"/>, a turn holds the write lock only for the commit itself;
/// ending it (<see cref="Turn.DisposeAsync"/>) lets the next writer in, then waits for the shared
/// <c>fsync</c> that makes the commit durable.</para>
/// </summary>
public sealed class StorageWriteGate(bool serialize, SqliteWalSync? durability = null)
{
    private readonly SemaphoreSlim? _gate = serialize ? new SemaphoreSlim(1, 1) : null;

    /// <summary>The shared <c>fsync</c> that makes commits durable, when commits do not sync themselves.</summary>
    public SqliteWalSync? Durability => durability;

    /// <summary>Waits for the turn to write; end it with <c>await using</c> once the write is committed.</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken = default)
    {
        if (_gate is null) return default;
        await _gate.WaitAsync(cancellationToken);
        return new Turn(_gate, durability);
    }

    /// <summary>A held turn: ending it releases the write lock, then waits until what was committed is durable.</summary>
    public readonly struct Turn(SemaphoreSlim? gate, SqliteWalSync? durability) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (gate is null) return ValueTask.CompletedTask;
            gate.Release();
            return durability is null ? ValueTask.CompletedTask : new ValueTask(durability.WaitAsync());
        }
    }
}

/// <summary>Grain storage whose writes and clears take a turn at the <see cref="StorageWriteGate"/>.</summary>
public sealed class GatedGrainStorage(IGrainStorage inner, StorageWriteGate gate) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var turn = await gate.EnterAsync();
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var turn = await gate.EnterAsync();
        await inner.ClearStateAsync(stateName, grainId, grainState);
    }

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>Wraps the keyed grain storage registered as <paramref name="name"/>.</summary>
    public static void Decorate(IServiceCollection services, string name)
    {
        var registered = services.Last(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        var factory = registered.KeyedImplementationFactory
                      ?? throw new InvalidOperationException($"grain storage '{name}' is not registered by a factory");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) =>
            new GatedGrainStorage((IGrainStorage)factory(sp, key), sp.GetRequiredService<LicensingDatabase>().WriteGate));
    }
}
