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
public sealed partial class WebhookSweeper(
    SqlWebhookOutbox outbox,
    IGrainFactory grains,
    WebhookDeliveryOptions options,
    TimeProvider time,
    OrleansLicensing.Diagnostics.LicensingMetrics metrics,
    ILogger<WebhookSweeper> logger) : BackgroundService
{
    private const int AccountsPerSweep = 1000;
    private const int PruneBatch = 5_000;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    /// <summary>Deletes dispatched events and finished deliveries older than the retention, in batches.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Retention;
        while (await outbox.PruneAsync(cutoff, PruneBatch, cancellationToken) > 0 && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.SweepInterval, stoppingToken);
                var accounts = await outbox.AccountsWithWorkAsync(time.GetUtcNow(), AccountsPerSweep, stoppingToken);
                foreach (var accountId in accounts)
                {
                    await grains.GetGrain<IWebhookDispatchGrain>(accountId).EventsCommitted();
                }
                var (events, deliveries) = await outbox.CountBacklogAsync(stoppingToken);
                metrics.WebhookBacklogCounted(events, deliveries);
                if (time.GetUtcNow() >= _nextPrune)
                {
                    await PruneAsync(stoppingToken);
                    _nextPrune = time.GetUtcNow() + PruneInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Before the silo is active or while storage is away; the next sweep tries again.
                LogSweepFailed(logger, error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook sweep failed; retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception error);
}
