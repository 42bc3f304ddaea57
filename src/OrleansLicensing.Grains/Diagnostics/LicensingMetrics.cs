using System.Diagnostics.Metrics;
using OrleansLicensing.Accounts;

namespace OrleansLicensing.Diagnostics;

/// <summary>
/// The product's one meter, <c>OrleansLicensing</c>, and every instrument on it (docs/operations.md
/// says what each means and what to alert on). One instance per silo, from the host's
/// <see cref="IMeterFactory"/>. The hooks on the request path are one call each, with constant tag
/// values (no string is built per measurement).
/// </summary>
public sealed class LicensingMetrics
{
    /// <summary>Name of the meter; exporters subscribe to it.</summary>
    public const string MeterName = "OrleansLicensing";

    /// <summary>Histogram of <c>/auth</c> request latency in seconds, tagged <c>endpoint</c> and <c>result</c>; its count is the request counter.</summary>
    public const string AuthRequestDuration = "licensing.auth.request.duration";

    /// <summary>Histogram of grain calls made on the silo for one <c>/auth</c> request, tagged <c>endpoint</c>.</summary>
    public const string AuthGrainCalls = "licensing.auth.grain_calls";

    /// <summary>Counter of credits taken from balances, tagged <c>kind</c>.</summary>
    public const string CreditsDebited = "licensing.credits.debited";

    /// <summary>Histogram of operations an account's group commit applied in one batch.</summary>
    public const string GroupCommitBatchSize = "licensing.group_commit.batch_size";

    /// <summary>Histogram of the duration of an account's state write in seconds, tagged <c>outcome</c> (<c>ok</c> or <c>failed</c>).</summary>
    public const string GroupCommitWriteDuration = "licensing.group_commit.write.duration";

    /// <summary>Counter of account state writes that failed.</summary>
    public const string GroupCommitWriteFailures = "licensing.group_commit.write.failures";

    /// <summary>Histogram of licenses whose heartbeat counters one write of the silo's counter journal raised; its count is the number of writes.</summary>
    public const string HeartbeatCountsBatchSize = "licensing.heartbeat_counts.batch_size";

    /// <summary>Counter of heartbeat counter writes that failed.</summary>
    public const string HeartbeatCountsWriteFailures = "licensing.heartbeat_counts.write.failures";

    /// <summary>Gauge of webhook work waiting in the outbox, tagged <c>kind</c> (<c>events</c>, <c>deliveries</c>).</summary>
    public const string WebhookBacklog = "licensing.webhooks.backlog";

    /// <summary>Histogram of webhook delivery attempts in seconds, tagged <c>outcome</c>.</summary>
    public const string WebhookDeliveryDuration = "licensing.webhooks.delivery.duration";

    /// <summary>Counter of webhook delivery attempts that did not get a 2xx, tagged <c>outcome</c>.</summary>
    public const string WebhookDeliveryFailures = "licensing.webhooks.delivery.failures";

    /// <summary>Counter of auth log entries dropped (queue full, or a batch the database refused).</summary>
    public const string AuthLogDropped = "licensing.auth_log.dropped";

    /// <summary>Counter of requests refused by a rate limit, tagged <c>api</c> (<c>auth</c>, <c>developer</c>).</summary>
    public const string RateLimitRefusals = "licensing.rate_limit.refusals";

    // Bucket bounds (seconds) for request-path latencies: 0.5 ms to 10 s.
    private static readonly double[] LatencyBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly int[] BatchBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
    private static readonly int[] CallBounds = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20];

    private readonly Histogram<double> _authRequests;
    private readonly Counter<long> _creditsDebited;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _writeDuration;
    private readonly Counter<long> _writeFailures;
    private readonly Histogram<int> _heartbeatCountsBatch;
    private readonly Counter<long> _heartbeatCountsFailures;
    private readonly Histogram<double> _webhookDelivery;
    private readonly Counter<long> _webhookFailures;
    private readonly Counter<long> _authLogDropped;
    private readonly Counter<long> _rateLimitRefusals;
    private long _backlogEvents = -1;
    private long _backlogDeliveries = -1;

    /// <summary>Creates the meter and its instruments.</summary>
    public LicensingMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _authRequests = Meter.CreateHistogram(AuthRequestDuration, "s", "Latency of /auth requests by endpoint and result code; the count is the number of requests",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds });
        GrainCalls = Meter.CreateHistogram(AuthGrainCalls, "{call}", "Grain calls made on the silo for one /auth request",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = CallBounds });
        _creditsDebited = Meter.CreateCounter<long>(CreditsDebited, "{credit}", "Credits taken from account balances, by kind");
        _batchSize = Meter.CreateHistogram(GroupCommitBatchSize, "{operation}", "Operations one account write carried",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBounds });
        _writeDuration = Meter.CreateHistogram(GroupCommitWriteDuration, "s", "Duration of an account's state write",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds });
        _writeFailures = Meter.CreateCounter<long>(GroupCommitWriteFailures, "{write}", "Account state writes that failed");
        _heartbeatCountsBatch = Meter.CreateHistogram(HeartbeatCountsBatchSize, "{license}", "Licenses whose heartbeat counters one counter write raised; the count is the number of writes",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBounds });
        _heartbeatCountsFailures = Meter.CreateCounter<long>(HeartbeatCountsWriteFailures, "{write}", "Heartbeat counter writes that failed");
        Meter.CreateObservableGauge(WebhookBacklog, ObserveBacklog, "{item}", "Webhook events not yet turned into deliveries, and deliveries waiting for an attempt");
        _webhookDelivery = Meter.CreateHistogram(WebhookDeliveryDuration, "s", "Duration of webhook delivery attempts, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds });
        _webhookFailures = Meter.CreateCounter<long>(WebhookDeliveryFailures, "{attempt}", "Webhook delivery attempts without a 2xx answer, by outcome");
        _authLogDropped = Meter.CreateCounter<long>(AuthLogDropped, "{entry}", "Auth log entries dropped (queue full or database failing)");
        _rateLimitRefusals = Meter.CreateCounter<long>(RateLimitRefusals, "{request}", "Requests refused by a rate limit, by API");
    }

    /// <summary>The meter every product instrument is on.</summary>
    public Meter Meter { get; }

    /// <summary>The per-request grain call histogram (recorded by the <c>/auth</c> edge).</summary>
    public Histogram<int> GrainCalls { get; }

    /// <summary>One <c>/auth</c> request: its endpoint and result code are constants of the protocol.</summary>
    public void AuthRequest(string endpoint, string result, TimeSpan elapsed) =>
        _authRequests.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("result", result));

    /// <summary>Credits taken from a balance (a usage debit, or a negative operator change).</summary>
    public void Debited(CreditEntryKind kind, long credits) =>
        _creditsDebited.Add(credits, new KeyValuePair<string, object?>("kind", KindName(kind)));

    /// <summary>An account write that carried <paramref name="operations"/> operations finished (or failed).</summary>
    public void GroupCommitWritten(int operations, TimeSpan elapsed, bool failed)
    {
        _batchSize.Record(operations);
        _writeDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", failed ? "failed" : "ok"));
        if (failed) _writeFailures.Add(1);
    }

    /// <summary>A write of the silo's heartbeat counter journal that raised <paramref name="licenses"/> counters finished (or failed).</summary>
    public void HeartbeatCountsWritten(int licenses, bool failed)
    {
        if (failed) _heartbeatCountsFailures.Add(1);
        else _heartbeatCountsBatch.Record(licenses);
    }

    /// <summary>The outbox backlog as last counted by this silo's sweep.</summary>
    public void WebhookBacklogCounted(long events, long deliveries)
    {
        Interlocked.Exchange(ref _backlogEvents, events);
        Interlocked.Exchange(ref _backlogDeliveries, deliveries);
    }

    /// <summary>One webhook delivery attempt; <paramref name="outcome"/> is one of <see cref="WebhookOutcomes"/>.</summary>
    public void WebhookAttempt(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _webhookDelivery.Record(elapsed.TotalSeconds, tag);
        if (outcome != WebhookOutcomes.Delivered) _webhookFailures.Add(1, tag);
    }

    /// <summary>Auth log entries dropped.</summary>
    public void AuthLogEntriesDropped(long count) => _authLogDropped.Add(count);

    /// <summary>A request refused by a rate limit; <paramref name="api"/> is <c>auth</c> or <c>developer</c>.</summary>
    public void RateLimited(string api) => _rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("api", api));

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        var events = Interlocked.Read(ref _backlogEvents);
        if (events < 0) return [];
        return
        [
            new Measurement<long>(events, new KeyValuePair<string, object?>("kind", "events")),
            new Measurement<long>(Interlocked.Read(ref _backlogDeliveries), new KeyValuePair<string, object?>("kind", "deliveries")),
        ];
    }

    private static string KindName(CreditEntryKind kind) => kind switch
    {
        CreditEntryKind.Validate => "validate",
        CreditEntryKind.Heartbeat => "heartbeat",
        CreditEntryKind.OfflineFile => "offline_file",
        CreditEntryKind.Correction => "correction",
        CreditEntryKind.Grant => "grant",
        _ => "other",
    };
}

/// <summary>The <c>outcome</c> values of webhook delivery attempts.</summary>
public static class WebhookOutcomes
{
    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>The receiver answered, but not 2xx.</summary>
    public const string HttpError = "http_error";

    /// <summary>No answer within the timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection failed (DNS, refused, reset, TLS).</summary>
    public const string NetworkError = "network_error";

    /// <summary>The target was refused before connecting (a private address, a bad URL) or the event could not be sent.</summary>
    public const string Refused = "refused";
}
