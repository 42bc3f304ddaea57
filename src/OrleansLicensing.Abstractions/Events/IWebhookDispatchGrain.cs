using Orleans.Concurrency;

namespace OrleansLicensing.Events;

/// <summary>
/// Delivers the webhook events of one account. Keyed by the account id. Events reach it through the
/// durable outbox table (<c>licensing_events</c>), written in the same database transaction as the
/// state change that raised them; <see cref="EventsCommitted"/> is only a wake-up, so a lost call
/// delays delivery until the next sweep but never loses an event.
/// </summary>
public interface IWebhookDispatchGrain : IGrainWithStringKey
{
    /// <summary>New events of this account were committed: fan them out and deliver.</summary>
    [OneWay]
    Task EventsCommitted();
}
