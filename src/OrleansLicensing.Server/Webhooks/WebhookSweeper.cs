using OrleansLicensing.Events;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>
/// The recovery path of webhook delivery, one per silo: every <c>SweepInterval</c> it finds the accounts
/// with undispatched events or due deliveries and wakes their dispatch grains (one activation per
/// account in the cluster, so several silos sweeping wake the same grain, which is harmless). The
/// wake-up a grain sends after committing events is the fast path; this covers lost wake-ups,
/// crashes and backoff timers.
/// </summary>
public sealed class WebhookSweeper(
    SqlWebhookOutbox outbox,
    IGrainFactory grains,
    WebhookDeliveryOptions options,
    TimeProvider time,
    OrleansLicensing.Diagnostics.LicensingMetrics metrics,
    ILogger<WebhookSweeper> logger) : OrleansLicensing.Server.Hosting.PeriodicJob(time, logger)
{
    private const int AccountsPerSweep = 1000;
    private const int PruneBatch = 5_000;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    protected override TimeSpan Interval => options.SweepInterval;

    /// <summary>Deletes dispatched events and finished deliveries older than the retention, in batches.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow() - options.Retention;
        while (await outbox.PruneAsync(cutoff, PruneBatch, cancellationToken) > 0 && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var accounts = await outbox.AccountsWithWorkAsync(Time.GetUtcNow(), AccountsPerSweep, cancellationToken);
        foreach (var accountId in accounts)
        {
            await grains.GetGrain<IWebhookDispatchGrain>(accountId).EventsCommitted();
        }
        var (events, deliveries) = await outbox.CountBacklogAsync(cancellationToken);
        metrics.WebhookBacklogCounted(events, deliveries);
        if (Time.GetUtcNow() >= _nextPrune)
        {
            await PruneAsync(cancellationToken);
            _nextPrune = Time.GetUtcNow() + PruneInterval;
        }
    }
}
