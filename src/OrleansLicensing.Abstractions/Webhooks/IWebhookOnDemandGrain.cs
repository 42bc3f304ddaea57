namespace OrleansLicensing.Webhooks;

/// <summary>
/// Sends the management API asks for right now (test pings, manual retries). Keyed by the account id;
/// implemented by the same grain as <see cref="OrleansLicensing.Events.IWebhookDispatchGrain"/>, so the
/// account's deliveries are driven by one activation.
/// </summary>
public interface IWebhookOnDemandGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sends a <c>test.ping</c> to one webhook now (once, no automatic retry) and records it in the
    /// webhook's delivery log. <paramref name="dataJson"/> is the body's <c>data</c> object.
    /// </summary>
    Task<OnDemandSend> SendTestPing(string appId, string webhookId, string dataJson);

    /// <summary>
    /// Re-sends a delivery now, whatever its status: one attempt, counted in its attempts. 2xx marks it
    /// delivered; a failure leaves its status as it was (a pending delivery keeps its schedule, a failed
    /// one stays failed, a delivered one stays delivered).
    /// </summary>
    Task<OnDemandSend> ResendDelivery(string deliveryId);
}
