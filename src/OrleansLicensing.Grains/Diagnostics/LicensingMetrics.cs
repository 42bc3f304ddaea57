using System.Diagnostics.Metrics;
using OrleansLicensing.Accounts;

namespace OrleansLicensing.Diagnostics;

/// <summary>
/// The product's one meter, <c>OrleansLicensing</c>, and every instrument on it (docs/operations.md
/// says what each means and what to alert on). One instance per silo, from the host's
/// <see cref="IMeterFactory"/>. The hooks on the request path are one call each, with constant tag
/// values (no string is built per measurement).
/// </summary>
/// <remarks>
/// The counters are observable counters over plain fields: every label set they can have is known
/// here, and each is reported from the first collection on, at 0 until it happens. A counter that had
/// no series until its first event would leave <c>rate()</c> and alerts on it with nothing to read.
/// Counting is an interlocked add on the request path, cheaper than a synchronous counter's.
/// </remarks>
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

    // The label sets of the counters, in the order of their fields below.
    private static readonly KeyValuePair<string, object?>[] DebitKinds =
        [Tag("kind", "grant"), Tag("kind", "correction"), Tag("kind", "validate"), Tag("kind", "heartbeat"), Tag("kind", "offline_file"), Tag("kind", "other")];
    // Grants add credits and are never debited; "other" is a kind this build does not know. Neither is reported at 0.
    private static readonly bool[] DebitKindsExpected = [false, true, true, true, true, false];
    private static readonly KeyValuePair<string, object?>[] FailedOutcomes =
        [Tag("outcome", WebhookOutcomes.HttpError), Tag("outcome", WebhookOutcomes.Timeout), Tag("outcome", WebhookOutcomes.NetworkError), Tag("outcome", WebhookOutcomes.Refused)];
    private static readonly KeyValuePair<string, object?>[] RateLimitedApis = [Tag("api", "auth"), Tag("api", "developer")];

    private readonly Histogram<double> _authRequests;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<int> _heartbeatCountsBatch;
    private readonly Histogram<double> _webhookDelivery;
    private readonly long[] _debited = new long[DebitKinds.Length];
    private readonly long[] _webhookFailures = new long[FailedOutcomes.Length];
    private readonly long[] _rateLimited = new long[RateLimitedApis.Length];
    private long _writeFailures;
    private long _heartbeatCountsFailures;
    private long _authLogDropped;
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
        Meter.CreateObservableCounter<long>(CreditsDebited, () => Observe(_debited, DebitKinds, DebitKindsExpected), "{credit}", "Credits taken from account balances, by kind");
        _batchSize = Meter.CreateHistogram(GroupCommitBatchSize, "{operation}", "Operations one account write carried",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBounds });
        _writeDuration = Meter.CreateHistogram(GroupCommitWriteDuration, "s", "Duration of an account's state write",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds });
        Meter.CreateObservableCounter<long>(GroupCommitWriteFailures, () => Interlocked.Read(ref _writeFailures), "{write}", "Account state writes that failed");
        _heartbeatCountsBatch = Meter.CreateHistogram(HeartbeatCountsBatchSize, "{license}", "Licenses whose heartbeat counters one counter write raised; the count is the number of writes",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBounds });
        Meter.CreateObservableCounter<long>(HeartbeatCountsWriteFailures, () => Interlocked.Read(ref _heartbeatCountsFailures), "{write}", "Heartbeat counter writes that failed");
        Meter.CreateObservableGauge(WebhookBacklog, ObserveBacklog, "{item}", "Webhook events not yet turned into deliveries, and deliveries waiting for an attempt");
        _webhookDelivery = Meter.CreateHistogram(WebhookDeliveryDuration, "s", "Duration of webhook delivery attempts, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBounds });
        Meter.CreateObservableCounter<long>(WebhookDeliveryFailures, () => Observe(_webhookFailures, FailedOutcomes), "{attempt}", "Webhook delivery attempts without a 2xx answer, by outcome");
        Meter.CreateObservableCounter<long>(AuthLogDropped, () => Interlocked.Read(ref _authLogDropped), "{entry}", "Auth log entries dropped (queue full or database failing)");
        Meter.CreateObservableCounter<long>(RateLimitRefusals, () => Observe(_rateLimited, RateLimitedApis), "{request}", "Requests refused by a rate limit, by API");
    }

    /// <summary>The meter every product instrument is on.</summary>
    public Meter Meter { get; }

    /// <summary>The per-request grain call histogram (recorded by the <c>/auth</c> edge).</summary>
    public Histogram<int> GrainCalls { get; }

    /// <summary>One <c>/auth</c> request: its endpoint and result code are constants of the protocol.</summary>
    public void AuthRequest(string endpoint, string result, TimeSpan elapsed) =>
        _authRequests.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("result", result));

    /// <summary>Credits taken from a balance (a usage debit, or a negative operator change).</summary>
    public void Debited(CreditEntryKind kind, long credits) => Interlocked.Add(ref _debited[DebitIndex(kind)], credits);

    /// <summary>An account write that carried <paramref name="operations"/> operations finished (or failed).</summary>
    public void GroupCommitWritten(int operations, TimeSpan elapsed, bool failed)
    {
        _batchSize.Record(operations);
        _writeDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", failed ? "failed" : "ok"));
        if (failed) Interlocked.Increment(ref _writeFailures);
    }

    /// <summary>A write of the silo's heartbeat counter journal that raised <paramref name="licenses"/> counters finished (or failed).</summary>
    public void HeartbeatCountsWritten(int licenses, bool failed)
    {
        if (failed) Interlocked.Increment(ref _heartbeatCountsFailures);
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
        _webhookDelivery.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        var failure = outcome switch
        {
            WebhookOutcomes.Delivered => -1,
            WebhookOutcomes.HttpError => 0,
            WebhookOutcomes.Timeout => 1,
            WebhookOutcomes.NetworkError => 2,
            _ => 3, // refused
        };
        if (failure >= 0) Interlocked.Increment(ref _webhookFailures[failure]);
    }

    /// <summary>Auth log entries dropped.</summary>
    public void AuthLogEntriesDropped(long count) => Interlocked.Add(ref _authLogDropped, count);

    /// <summary>A request refused by a rate limit; <paramref name="api"/> is <c>auth</c> or <c>developer</c>.</summary>
    public void RateLimited(string api) => Interlocked.Increment(ref _rateLimited[api == "auth" ? 0 : 1]);

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

    /// <summary>
    /// The counts of a labelled counter, one measurement per label set: the expected ones always (0 before
    /// their first event), the others only once they happened. Without <paramref name="expected"/>, all are.
    /// </summary>
    private static List<Measurement<long>> Observe(long[] counts, KeyValuePair<string, object?>[] tags, bool[]? expected = null)
    {
        var measurements = new List<Measurement<long>>(counts.Length);
        for (var i = 0; i < counts.Length; i++)
        {
            var count = Interlocked.Read(ref counts[i]);
            if (expected?[i] != false || count != 0) measurements.Add(new Measurement<long>(count, tags[i]));
        }
        return measurements;
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    // Index into DebitKinds: the CreditEntryKind value, or "other".
    private static int DebitIndex(CreditEntryKind kind) => kind is >= CreditEntryKind.Grant and <= CreditEntryKind.OfflineFile ? (int)kind : DebitKinds.Length - 1;
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
