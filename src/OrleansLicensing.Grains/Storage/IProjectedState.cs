using OrleansLicensing.Events;
using OrleansLicensing.Licenses;

namespace OrleansLicensing.Storage;

/// <summary>
/// A grain state that carries rows the database keeps in step with it. The host's storage
/// serializer writes the projection in front of the state bytes; triggers on the grain-state table
/// apply it in the same transaction as the write (docs/developer-api.md §4.4 outbox, license listing).
/// </summary>
public interface IProjectedState
{
    /// <summary>What this write must also apply, or <c>null</c> for nothing (the plain state format).</summary>
    StateProjection? Projection();
}

/// <summary>Rows applied together with a grain-state write.</summary>
/// <param name="License">The license's row in the listing index, when the state is a license.</param>
/// <param name="Events">Outbox events to insert (idempotent by event id).</param>
/// <param name="Nonces">Replay-window nonces to record (idempotent; a later sighting moves the time forward).</param>
/// <param name="HeartbeatCounts">License heartbeat counters to raise to at least these values.</param>
public sealed record StateProjection(
    LicenseProjection? License,
    IReadOnlyList<OutboxEvent> Events,
    IReadOnlyList<RecordedNonce>? Nonces = null,
    IReadOnlyDictionary<string, long>? HeartbeatCounts = null);

/// <summary>The listing row of one license.</summary>
/// <param name="License">The license as <c>GET /v1/licenses</c> shows it (lazily written fields may lag by a minute).</param>
/// <param name="Deleted">Removes the row.</param>
/// <param name="ExpiryNotified">Whether <c>license.expired</c> was raised for the current expiry.</param>
public sealed record LicenseProjection(LicenseSnapshot License, bool Deleted, bool ExpiryNotified);
