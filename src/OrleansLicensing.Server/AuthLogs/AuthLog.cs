using System.Threading.Channels;

namespace OrleansLicensing.Server.AuthLogs;

/// <summary>
/// The per-silo writer of the auth log. <see cref="Record"/> only enqueues (no I/O on the auth hot
/// path); a background loop stores the queue with one multi-row <c>INSERT</c> per
/// <see cref="BatchSize"/> entries or per <see cref="FlushInterval"/>, whichever comes first.
/// Entries past retention are deleted by <see cref="AuthLogRetention"/>, one of the periodic jobs.
/// </summary>
/// <remarks>
/// Durability: the log is best effort. A crash loses what was queued but not yet stored (at most
/// about <see cref="FlushInterval"/> of traffic); a graceful stop stores the queue first. When the
/// database is slower than the traffic the queue keeps the newest <see cref="Capacity"/> entries and
/// drops the oldest, counting and logging them; a batch that still fails after
/// <see cref="InsertAttempts"/> attempts is dropped the same way.
/// </remarks>
public sealed partial class AuthLog : BackgroundService
{
    /// <summary>Most entries per <c>INSERT</c>.</summary>
    public const int BatchSize = 500;

    /// <summary>Most entries waiting in memory; beyond it the oldest are dropped.</summary>
    public const int Capacity = 50_000;

    /// <summary>Attempts to store one batch before it is dropped.</summary>
    public const int InsertAttempts = 3;

    /// <summary>Longest time an entry waits in memory before a write is started.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);

    private readonly Channel<AuthLogEntry> _queue;
    private readonly AuthLogStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<AuthLog> _logger;
    private long _dropped;
    private long _batches;
    private long _droppedReported;
    private readonly OrleansLicensing.Diagnostics.LicensingMetrics _metrics;

    /// <summary>Creates the writer.</summary>
    public AuthLog(AuthLogStore store, TimeProvider time, OrleansLicensing.Diagnostics.LicensingMetrics metrics, ILogger<AuthLog> logger)
    {
        _metrics = metrics;
        _store = store;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<AuthLogEntry>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                _metrics.AuthLogEntriesDropped(1);
            });
    }

    /// <summary>Entries dropped since start (queue full, or a batch the database refused).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Batches stored since start (each one <c>INSERT</c>).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Queues the outcome of one <c>/auth/*</c> request; never blocks, never throws for a full queue.</summary>
    public void Record(AuthLogDraft draft, string endpoint, bool responded)
    {
        if (draft.ToEntry(endpoint, responded, _time.GetUtcNow()) is { } entry) _queue.Writer.TryWrite(entry);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<AuthLogEntry>(BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                // The first entry opens a window of FlushInterval; a full batch closes it early.
                using (var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    window.CancelAfter(FlushInterval);
                    try
                    {
                        while (true)
                        {
                            while (batch.Count < BatchSize && reader.TryRead(out var entry)) batch.Add(entry);
                            if (batch.Count >= BatchSize || !await reader.WaitToReadAsync(window.Token)) break;
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The window closed.
                    }
                }
                await StoreAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Graceful stop: store what is queued (bounded by the host's shutdown timeout).
        while (reader.TryRead(out var entry))
        {
            batch.Add(entry);
            if (batch.Count < BatchSize) continue;
            await StoreAsync(batch, CancellationToken.None);
            batch.Clear();
        }
        await StoreAsync(batch, CancellationToken.None);
    }

    private async Task StoreAsync(List<AuthLogEntry> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 0) return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _store.InsertAsync(batch, CancellationToken.None);
                Interlocked.Increment(ref _batches);
                break;
            }
            catch (Exception error) when (attempt < InsertAttempts && !stoppingToken.IsCancellationRequested)
            {
                LogInsertRetry(error, batch.Count, attempt);
                try { await Task.Delay(TimeSpan.FromSeconds(attempt), _time, stoppingToken); }
                catch (OperationCanceledException) { }
            }
            catch (Exception error)
            {
                Interlocked.Add(ref _dropped, batch.Count);
                _metrics.AuthLogEntriesDropped(batch.Count);
                LogInsertFailed(error, batch.Count);
                break;
            }
        }
        var dropped = Dropped;
        if (dropped != _droppedReported)
        {
            LogDropped(dropped - _droppedReported, dropped);
            _droppedReported = dropped;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth log: storing {Count} entries failed (attempt {Attempt}); retrying")]
    private partial void LogInsertRetry(Exception error, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Auth log: storing {Count} entries failed; they are dropped")]
    private partial void LogInsertFailed(Exception error, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth log: {Count} entries dropped (queue full or database failing); {Total} since start")]
    private partial void LogDropped(long count, long total);
}

/// <summary>Registration of the auth log.</summary>
public static class AuthLogServices
{
    /// <summary>The store, and the writer as a singleton that is also the hosted service (its retention is a periodic job, <see cref="Hosting.BackgroundJobs"/>).</summary>
    public static IServiceCollection AddAuthLog(this IServiceCollection services)
    {
        services.AddSingleton<AuthLogStore>();
        services.AddSingleton<AuthLog>();
        services.AddHostedService(provider => provider.GetRequiredService<AuthLog>());
        return services;
    }
}
