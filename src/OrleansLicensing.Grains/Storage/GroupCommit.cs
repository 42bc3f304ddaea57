namespace OrleansLicensing.Storage;

/// <summary>
/// Group commit for one grain activation: callers queue operations; a single loop applies every
/// queued operation to the state, then stores it with one write, and only then completes the
/// callers. Operations queued while a write is in flight go into the next batch, so state is
/// never mutated while a write is serializing it.
/// </summary>
/// <remarks>
/// Must be used from the grain's own scheduler (grain methods and their continuations). An
/// operation's <c>apply</c> runs synchronously in the loop: it validates against the state,
/// mutates it if valid, and reports whether it changed anything. A batch with no change is not
/// written. If the write fails, every caller of that batch gets the exception (the outcome is
/// unknown to them, so they retry with the same operation id) and the state is re-read from
/// storage before the next batch, discarding the batch's in-memory effects.
/// <para>Under sustained load, writes start at most once per <c>window</c>: an operation that
/// arrives while the previous write is younger than the window waits for the rest of it, and so
/// does everything queued behind it, so one write carries that window's worth of operations. The
/// first operation after a quiet period is written at once (no added latency at low load). With
/// <c>fullBatch</c> above 0, a batch that reaches that many operations is written without waiting
/// out the rest of the window: it already shares its write enough. (That rule is <see cref="CommitWindow"/>.)</para>
/// <para><c>prepare</c>, when given, runs once per batch after the batch is fixed and before any of
/// its operations is applied: the place for one asynchronous read that the batch's checks need
/// (the account's replay-window lookup). If it fails, every operation of the batch fails and
/// nothing is applied.</para>
/// </remarks>
public sealed class GroupCommit(Func<Task> write, Func<Task> reload, TimeSpan window = default, TimeProvider? time = null, Func<Task>? prepare = null, Diagnostics.LicensingMetrics? metrics = null, int fullBatch = 0)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly CommitWindow _pace = new(window, fullBatch, time);
    private List<IQueued> _queue = [];
    private bool _running;
    private Exception? _broken;

    /// <summary>
    /// Throws once a failed write could not be followed by a re-read: the in-memory state may hold
    /// effects that were never stored, so nothing may be served from it again (the grain deactivates).
    /// Reads of the state call this; <see cref="Enqueue"/> applies the same rule.
    /// </summary>
    public void ThrowIfBroken()
    {
        if (_broken is not null) throw BrokenError();
    }

    private InvalidOperationException BrokenError() => new("State unavailable after a failed write; retry.", _broken);

    /// <summary>Queues <paramref name="apply"/>; completes once a write that holds its effect is durable.</summary>
    public Task<T> Enqueue<T>(Func<(T Result, bool Changed)> apply)
    {
        if (_broken is not null) return Task.FromException<T>(BrokenError());
        var queued = new Queued<T>(apply);
        _queue.Add(queued);
        _pace.Queued(_queue.Count);
        if (!_running)
        {
            _running = true;
            _ = RunAsync();
        }
        return queued.Task;
    }

    private async Task RunAsync()
    {
        try
        {
            while (_queue.Count > 0)
            {
                await _pace.WaitBeforeWriteAsync(_queue.Count);
                var batch = _queue;
                _queue = [];
                if (prepare is not null)
                {
                    try
                    {
                        await prepare();
                    }
                    catch (Exception error)
                    {
                        foreach (var op in batch) op.Fail(error);
                        continue;
                    }
                }
                var changed = false;
                foreach (var op in batch)
                {
                    changed |= op.Apply();
                }

                if (!changed)
                {
                    foreach (var op in batch) op.Complete();
                    continue;
                }

                var started = _pace.WriteStarted();
                try
                {
                    await write();
                }
                catch (Exception error)
                {
                    metrics?.GroupCommitWritten(batch.Count, _time.GetElapsedTime(started), failed: true);
                    foreach (var op in batch) op.Fail(error);
                    await ReloadOrFailQueueAsync();
                    continue;
                }

                metrics?.GroupCommitWritten(batch.Count, _time.GetElapsedTime(started), failed: false);
                foreach (var op in batch) op.Complete();
            }
        }
        finally
        {
            _running = false;
        }
    }

    private async Task ReloadOrFailQueueAsync()
    {
        try
        {
            await reload();
        }
        catch (Exception error)
        {
            // Without a trustworthy state nothing queued may run; the grain deactivates (see reload).
            _broken = error;
            var queued = _queue;
            _queue = [];
            foreach (var op in queued) op.Fail(error);
        }
    }

    private interface IQueued
    {
        bool Apply();
        void Complete();
        void Fail(Exception error);
    }

    private sealed class Queued<T>(Func<(T Result, bool Changed)> apply) : IQueued
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _applyError;

        public Task<T> Task => _completion.Task;

        public bool Apply()
        {
            try
            {
                (_result, var changed) = apply();
                return changed;
            }
            catch (Exception error)
            {
                // An operation that throws must not have mutated the state; it fails alone.
                _applyError = error;
                return false;
            }
        }

        public void Complete()
        {
            if (_applyError is not null) _completion.TrySetException(_applyError);
            else _completion.TrySetResult(_result);
        }

        public void Fail(Exception error) => _completion.TrySetException(_applyError ?? error);
    }
}
