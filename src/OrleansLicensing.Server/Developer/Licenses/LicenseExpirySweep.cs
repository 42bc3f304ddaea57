using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>
/// Raises <c>license.expired</c>: every silo periodically asks the listing index for licenses whose
/// expiry passed without the event, and tells each license grain to observe it. The grain raises
/// the event at most once per expiry (its own state decides), so silos sweeping the same rows at
/// the same time cannot duplicate it.
/// </summary>
public sealed class LicenseExpirySweep(
    LicenseIndex index,
    IGrainFactory grains,
    TimeProvider time,
    LicensingSettings settings,
    ILogger<LicenseExpirySweep> logger) : PeriodicJob(time, logger)
{
    private const int BatchSize = 200;

    protected override TimeSpan Interval => settings.Licensing.Jobs.ExpirySweepInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => SweepAsync(cancellationToken);

    /// <summary>One pass: every license found expired and not yet announced is told to announce it.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var due = await index.DueForExpiryAsync(Time.GetUtcNow(), BatchSize, cancellationToken);
            if (due.Count == 0) return;
            var raised = await Task.WhenAll(due.Select(key => grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key)).ObserveExpiry()));
            // Rows the grains did not act on (already announced, clock skew) would be returned again: stop until the next tick.
            if (!raised.Any(r => r) || due.Count < BatchSize) return;
        }
    }
}
