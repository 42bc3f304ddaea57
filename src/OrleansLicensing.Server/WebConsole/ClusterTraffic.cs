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
/// The page adds the silos up per minute. A silo that stops loses at most its last few seconds.
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

    /// <summary>Writes this silo's totals of the minutes it has counted (the current and the previous one).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var current = now / 60_000;
            var pending = _minutes.Where(m => m.Key >= current - 1).Select(m => (m.Key, Interlocked.Read(ref m.Value.Requests), Interlocked.Read(ref m.Value.Failures))).ToList();
            await using (var turn = await _database.WriteGate.EnterAsync(cancellationToken))
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                foreach (var (minute, requests, failures) in pending)
                {
                    await using var upsert = connection.CreateCommand();
                    upsert.CommandText =
                        "INSERT INTO licensing_cluster_traffic (silo, minute, requests, failures) VALUES (@silo, @minute, @requests, @failures) " +
                        "ON CONFLICT (silo, minute) DO UPDATE SET requests = excluded.requests, failures = excluded.failures";
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
            // Minutes before the previous one were written with their final totals above, on an earlier flush.
            foreach (var old in _minutes.Keys.Where(m => m < current - 1)) _minutes.TryRemove(old, out _);
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
