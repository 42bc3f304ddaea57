using OrleansLicensing.Events;

namespace OrleansLicensing.Storage;

/// <summary>The grain side of the durable outbox: what happens once a write that carried events succeeded.</summary>
public static class EventOutbox
{
    /// <summary>
    /// The events of <paramref name="outbox"/> are in <c>licensing_events</c> now (the write committed
    /// them): drop them from the state and wake the dispatchers of their accounts. The wake-up is a
    /// one-way hint; the dispatchers' periodic sweep finds the events if it is lost.
    /// </summary>
    public static void Committed(List<OutboxEvent> outbox, IGrainFactory grains)
    {
        if (outbox.Count == 0) return;
        var accounts = outbox.Select(e => e.AccountId).Distinct(StringComparer.Ordinal).ToArray();
        outbox.Clear();
        foreach (var accountId in accounts)
        {
            try
            {
                _ = grains.GetGrain<IWebhookDispatchGrain>(accountId).EventsCommitted();
            }
            catch (Exception)
            {
                // Best effort by design: the sweep delivers what a lost wake-up leaves behind.
            }
        }
    }
}
