namespace OrleansLicensing.Storage;

/// <summary>A nonce of one app's replay window (docs/protocol.md §6).</summary>
[GenerateSerializer, Immutable]
public sealed record RecordedNonce(
    [property: Id(0)] string AppId,
    [property: Id(1)] string Nonce,
    [property: Id(2)] DateTimeOffset At);

/// <summary>
/// The stored replay windows: rows in <c>licensing_replay_nonces</c>, inserted by the account's own
/// state write (<see cref="StateProjection.Nonces"/>), so a nonce is durable exactly when the request
/// that carried it is acknowledged. Nothing of the window is kept in memory.
/// </summary>
public interface IReplayWindowStore
{
    /// <summary>Which of <paramref name="candidates"/> (app id, nonce) were recorded after <paramref name="since"/>.</summary>
    Task<IReadOnlySet<(string AppId, string Nonce)>> FindRecordedAsync(IReadOnlyCollection<(string AppId, string Nonce)> candidates, DateTimeOffset since);
}

/// <summary>
/// The stored successful-heartbeat counters (<c>licensing_heartbeat_counts</c>, §13.3). A license reads
/// its counter when it activates. A non-billable heartbeat raises it through <see cref="RaiseAsync"/>,
/// which the silo groups into shared writes; a billable one raises it with its debit, in the account's
/// state write (<see cref="StateProjection.HeartbeatCounts"/>), so the two cannot be separated.
/// </summary>
public interface IHeartbeatCounterStore
{
    /// <summary>The stored counter of <paramref name="licenseKey"/>, 0 when none.</summary>
    Task<long> ReadAsync(string licenseKey);

    /// <summary>The stored counters of <paramref name="licenseKeys"/>, in one read; a license without one is absent.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadAsync(IReadOnlyCollection<string> licenseKeys);

    /// <summary>
    /// Raises the stored counter of <paramref name="licenseKey"/> to <paramref name="count"/> (never
    /// lowers it); completes once that is durable. Concurrent calls share one write.
    /// </summary>
    Task RaiseAsync(string licenseKey, long count);
}
