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
/// The stored successful-heartbeat counters (<c>licensing_heartbeat_counts</c>), raised by the
/// account's state write (<see cref="StateProjection.HeartbeatCounts"/>) and read by a license when
/// it activates.
/// </summary>
public interface IHeartbeatCounterStore
{
    /// <summary>The stored counter of <paramref name="licenseKey"/>, 0 when none.</summary>
    Task<long> ReadAsync(string licenseKey);
}
