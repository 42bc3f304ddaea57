using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Views;

/// <summary>
/// Tells every silo's <c>/auth</c> edge that a view changed, after the change is stored and before
/// it is acknowledged (docs/protocol.md §11.6). A silo that does not confirm within the lease (dead,
/// partitioned, slow) cannot serve the old view for longer than the lease, so the change then waits
/// the lease out instead: the acknowledgement is never earlier than the last possible stale answer.
/// </summary>
public sealed partial class AuthViewBroadcast(
    IGrainFactory grains,
    IClusterMembershipService membership,
    TimeProvider time,
    ILogger<AuthViewBroadcast> logger)
{
    /// <summary>Drops <paramref name="key"/> from every silo's cache; completes when no silo can serve the old view.</summary>
    public async Task InvalidateEverywhere(AuthViewKey key)
    {
        var started = time.GetTimestamp();
        var calls = new List<Task>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status is not (SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping)) continue;
            calls.Add(grains.GetGrain<IAuthViewInvalidationGrain>(IAuthViewInvalidationGrain.KeyFor(member.SiloAddress.ToParsableString())).Invalidate(key));
        }
        try
        {
            await Task.WhenAll(calls).WaitAsync(AuthViewLease.Duration, time);
        }
        catch (Exception error)
        {
            var rest = AuthViewLease.Duration - time.GetElapsedTime(started);
            LogUnconfirmed(error, key.Kind, key.Id, rest);
            if (rest > TimeSpan.Zero) await Task.Delay(rest, time);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not every silo confirmed dropping the {Kind} view {Id}; waiting {Rest} for their leases to run out")]
    private partial void LogUnconfirmed(Exception error, AuthViewKind kind, string id, TimeSpan rest);
}
