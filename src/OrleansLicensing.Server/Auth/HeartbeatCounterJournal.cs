using OrleansLicensing.Storage;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The silo's writer of heartbeat counters (docs/design.md, "Heartbeat counts"). A non-billable
/// heartbeat is acknowledged only once its license's counter is stored; here the counters of every
/// license of the silo that heartbeats meanwhile share one write (group commit): while a write is in
/// flight, the next one collects whatever arrives, keeping the highest count per license. Like an
/// account's writes, writes start at most once per group-commit window under sustained load, and a
/// batch that reaches the full-batch size goes at once; the first raise after a quiet period is
/// written at once.
/// </summary>
/// <remarks>
/// The write raises counters and never lowers them, so a repeated or late write is harmless. If a
/// write fails, every caller of that batch gets the error (the heartbeat answers <c>system_error</c>
/// and its license does not count it); a counter that was stored anyway only makes the license's
/// next heartbeat repeat the same count.
/// </remarks>
public sealed class HeartbeatCounterJournal : IHeartbeatCounterStore
{
    private readonly SqlRequestPathStore _store;
    private readonly OrleansLicensing.Diagnostics.LicensingMetrics? _metrics;
    private readonly CommitWindow _pace;
    private readonly Lock _lock = new();
    private Dictionary<string, long> _queued = new(StringComparer.Ordinal);
    private TaskCompletionSource _queuedWritten = NewCompletion();
    private bool _writing;
    private long _writes;

    /// <summary>
    /// A journal over <paramref name="store"/>. <paramref name="window"/> and <paramref name="fullBatch"/>
    /// mean what they mean for an account (<see cref="OrleansLicensing.Accounts.AccountOptions"/>);
    /// a zero window writes as soon as the previous write is done.
    /// </summary>
    public HeartbeatCounterJournal(SqlRequestPathStore store, OrleansLicensing.Diagnostics.LicensingMetrics? metrics = null, TimeSpan window = default, int fullBatch = 0)
    {
        _store = store;
        _metrics = metrics;
        _pace = new CommitWindow(window, fullBatch);
    }

    /// <summary>Writes made since start (each carries one or more counters).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <inheritdoc />
    public async Task<long> ReadAsync(string licenseKey) => (await _store.ReadCountersAsync([licenseKey])).GetValueOrDefault(licenseKey);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> ReadAsync(IReadOnlyCollection<string> licenseKeys) => _store.ReadCountersAsync(licenseKeys);

    /// <inheritdoc />
    public Task RaiseAsync(string licenseKey, long count)
    {
        lock (_lock)
        {
            if (!_queued.TryGetValue(licenseKey, out var queued) || queued < count) _queued[licenseKey] = count;
            _pace.Queued(_queued.Count);
            var written = _queuedWritten.Task;
            if (!_writing)
            {
                _writing = true;
                // Off the caller's scheduler (a grain's): the loop belongs to no activation.
                _ = Task.Run(WriteLoopAsync);
            }
            return written;
        }
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            ValueTask windowEnd;
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _writing = false;
                    return;
                }
                windowEnd = _pace.WaitBeforeWriteAsync(_queued.Count);
            }
            await windowEnd;

            Dictionary<string, long> batch;
            TaskCompletionSource written;
            lock (_lock)
            {
                batch = _queued;
                written = _queuedWritten;
                _queued = new Dictionary<string, long>(StringComparer.Ordinal);
                _queuedWritten = NewCompletion();
            }
            try
            {
                _pace.WriteStarted();
                await _store.RaiseCountersAsync(batch);
                Interlocked.Increment(ref _writes);
                _metrics?.HeartbeatCountsWritten(batch.Count, failed: false);
                written.SetResult();
            }
            catch (Exception error)
            {
                _metrics?.HeartbeatCountsWritten(batch.Count, failed: true);
                written.SetException(error);
            }
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
