using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Auth requests of the whole cluster in one minute.</summary>
public sealed record TrafficMinute(DateTimeOffset Minute, long Requests, long Failures);

/// <summary>
/// Request and error rates for the operator's cluster page, correct across silos: each silo counts its
/// own <c>/auth</c> requests per minute from the <see cref="LicensingMetrics.AuthRequestDuration"/>
/// instrument (every request is recorded there once, with its result code) and writes its running
/// totals for the current and the previous minute to <c>licensing_cluster_traffic</c> every
/// <see cref="FlushInterval"/>, keyed by silo and minute (so a write replaces, never double counts).
/// The page adds the silos up per minute. A silo that stops loses at most its last few seconds; a silo
/// whose flushes fail or stall writes a minute's final totals on its next successful flush.
/// </summary>
public sealed class ClusterTraffic : BackgroundService
{
    /// <summary>How often a silo writes its counts.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long minute rows are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private sealed class Counts
    {
        public long Requests;
        public long Failures;

        /// <summary>The totals the last successful flush wrote (touched by one flush at a time).</summary>
        public long WrittenRequests;
        public long WrittenFailures;

        /// <summary>Whether these totals are the ones the last successful flush wrote.</summary>
        public bool Written(long requests, long failures) => requests == WrittenRequests && failures == WrittenFailures;
    }

    private readonly ConcurrentDictionary<long, Counts> _minutes = new();
    private readonly LicensingMetrics _metrics;
    private readonly LicensingDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterTraffic> _logger;
    private readonly Lazy<string> _silo;
    private readonly MeterListener _listener = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _lastPrune;

    public ClusterTraffic(LicensingMetrics metrics, LicensingDatabase database, IServiceProvider services, TimeProvider time, ILogger<ClusterTraffic> logger)
    {
        _metrics = metrics;
        _database = database;
        _time = time;
        _logger = logger;
        // The silo's address with its generation: a restarted silo writes its own rows.
        _silo = new Lazy<string>(() => services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's meter: test processes run several hosts side by side.
            if (ReferenceEquals(instrument.Meter, _metrics.Meter) && instrument.Name == LicensingMetrics.AuthRequestDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Count(tags));
        _listener.Start();
    }

    /// <summary>The cluster's requests per minute for the last <paramref name="minutes"/> minutes (this one included), oldest first; this silo's count is written first.</summary>
    public async Task<IReadOnlyList<TrafficMinute>> ReadAsync(int minutes, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var current = _time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000;
        var first = current - minutes + 1;
        var sums = new Dictionary<long, (long Requests, long Failures)>();
        await using (var connection = await _database.OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT minute, SUM(requests), SUM(failures) FROM licensing_cluster_traffic WHERE minute >= @first GROUP BY minute";
            command.AddParameter("first", first);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sums[Convert.ToInt64(reader.GetValue(0))] = (Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)));
            }
        }
        var rows = new List<TrafficMinute>(minutes);
        for (var minute = first; minute <= current; minute++)
        {
            var (requests, failures) = sums.GetValueOrDefault(minute);
            rows.Add(new TrafficMinute(DateTimeOffset.FromUnixTimeMilliseconds(minute * 60_000), requests, failures));
        }
        return rows;
    }

    /// <summary>Writes this silo's totals of the current and the previous minute, and of any older minute whose final totals are not written yet.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var current = now / 60_000;
            // The current and previous minute, and any older minute whose final totals are not written
            // yet (a flush failed, or none ran for more than a minute: the process stalled).
            var pending = _minutes
                .Select(m => (Minute: m.Key, Counts: m.Value, Requests: Interlocked.Read(ref m.Value.Requests), Failures: Interlocked.Read(ref m.Value.Failures)))
                .Where(m => m.Minute >= current - 1 || !m.Counts.Written(m.Requests, m.Failures))
                .ToList();
            await using (var turn = await _database.WriteGate.EnterAsync(cancellationToken))
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                foreach (var (minute, _, requests, failures) in pending)
                {
                    await using var upsert = connection.CreateCommand();
                    upsert.CommandText =
                        "INSERT INTO licensing_cluster_traffic (silo, minute, requests, failures) VALUES (@silo, @minute, @requests, @failures) " +
                        // Totals only grow: a late count never lowers a minute's final totals.
                        "ON CONFLICT (silo, minute) DO UPDATE SET " +
                        "requests = CASE WHEN excluded.requests > licensing_cluster_traffic.requests THEN excluded.requests ELSE licensing_cluster_traffic.requests END, " +
                        "failures = CASE WHEN excluded.failures > licensing_cluster_traffic.failures THEN excluded.failures ELSE licensing_cluster_traffic.failures END";
                    upsert.AddParameter("silo", _silo.Value);
                    upsert.AddParameter("minute", minute);
                    upsert.AddParameter("requests", requests);
                    upsert.AddParameter("failures", failures);
                    await upsert.ExecuteNonQueryAsync(cancellationToken);
                }
                if (now - _lastPrune > TimeSpan.FromMinutes(10).TotalMilliseconds)
                {
                    await using var prune = connection.CreateCommand();
                    prune.CommandText = "DELETE FROM licensing_cluster_traffic WHERE minute < @before";
                    prune.AddParameter("before", current - (long)Retention.TotalMinutes);
                    await prune.ExecuteNonQueryAsync(cancellationToken);
                    _lastPrune = now;
                }
            }
            foreach (var (_, counts, requests, failures) in pending)
            {
                counts.WrittenRequests = requests;
                counts.WrittenFailures = failures;
            }
            // A minute before the previous one gets no more requests: once its totals are written it is
            // dropped. Past the retention it is dropped anyway (its row would be pruned).
            foreach (var (minute, counts) in _minutes)
            {
                if (minute >= current - 1) continue;
                var written = counts.Written(Interlocked.Read(ref counts.Requests), Interlocked.Read(ref counts.Failures));
                if (written || minute < current - (long)Retention.TotalMinutes) _minutes.TryRemove(minute, out _);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    _logger.LogWarning(error, "Could not write the cluster traffic counts; retrying in {Interval}", FlushInterval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _listener.Dispose();
        _flushing.Dispose();
        base.Dispose();
    }

    private void Count(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var failed = false;
        foreach (var tag in tags)
        {
            if (tag.Key == "result") failed = !Equals(tag.Value, "success");
        }
        var counts = _minutes.GetOrAdd(_time.GetUtcNow().ToUnixTimeMilliseconds() / 60_000, _ => new Counts());
        Interlocked.Increment(ref counts.Requests);
        if (failed) Interlocked.Increment(ref counts.Failures);
    }
}
