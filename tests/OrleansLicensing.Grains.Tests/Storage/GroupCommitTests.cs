using OrleansLicensing.Testing;

namespace OrleansLicensing.Storage;

/// <summary>
/// The group-commit loop on its own. Like a grain, it runs on one exclusive scheduler: every call
/// and every continuation of the loop goes through <see cref="OnLoop{T}"/>'s scheduler.
/// </summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly TaskScheduler _scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private readonly List<TaskCompletionSource> _writes = [];
    private int _reloads;

    private Task<T> OnLoop<T>(Func<T> action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, _scheduler);

    /// <summary>A loop whose writes wait until the test lets each one finish (or fail).</summary>
    private GroupCommit HeldWrites(Func<Task>? reload = null, Func<Task>? prepare = null, TimeSpan window = default, int fullBatch = 0) => new(
        window: window,
        fullBatch: fullBatch,
        write: () =>
        {
            var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_writes) _writes.Add(write);
            return write.Task;
        },
        reload: reload ?? (() =>
        {
            Interlocked.Increment(ref _reloads);
            return Task.CompletedTask;
        }),
        prepare: prepare);

    private async Task<TaskCompletionSource> Write(int index)
    {
        await Eventually.True(() => { lock (_writes) return Task.FromResult(_writes.Count > index); }, Patience);
        lock (_writes) return _writes[index];
    }

    private int Writes
    {
        get { lock (_writes) return _writes.Count; }
    }

    [Fact]
    public async Task Operations_queued_while_a_write_is_in_flight_share_the_next_write()
    {
        var loop = HeldWrites();
        var first = await OnLoop(() => loop.Enqueue(() => (1, true)));
        var waiting = await Task.WhenAll(
            OnLoop(() => loop.Enqueue(() => (2, true))),
            OnLoop(() => loop.Enqueue(() => (3, true))));

        Assert.Equal(1, Writes);
        (await Write(0)).SetResult();
        Assert.Equal(1, await first.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.False(waiting[0].IsCompleted, "answered before its own write");

        (await Write(1)).SetResult();
        var answers = await Task.WhenAll(waiting).WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(new[] { 2, 3 }, answers);
        Assert.Equal(2, Writes);
    }

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_out_the_window()
    {
        var loop = HeldWrites(window: TimeSpan.FromMinutes(1), fullBatch: 3);
        var first = await OnLoop(() => loop.Enqueue(() => (0, true)));
        (await Write(0)).SetResult();
        await first.WaitAsync(Patience, TestContext.Current.CancellationToken);

        var batch = new List<Task<int>>
        {
            await OnLoop(() => loop.Enqueue(() => (1, true))),
            await OnLoop(() => loop.Enqueue(() => (2, true))),
        };
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(1, Writes); // two of three: the batch waits for the window (a minute)

        batch.Add(await OnLoop(() => loop.Enqueue(() => (3, true))));
        (await Write(1)).SetResult(); // the third fills it: written at once
        Assert.Equal(new[] { 1, 2, 3 }, await Task.WhenAll(batch).WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(2, Writes);
    }

    [Fact]
    public async Task A_batch_that_changes_nothing_is_answered_without_a_write()
    {
        var loop = HeldWrites();

        var answer = await OnLoop(() => loop.Enqueue(() => ("unchanged", false)));

        Assert.Equal("unchanged", await answer.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(0, Writes);
    }

    [Fact]
    public async Task A_failed_write_fails_every_caller_of_its_batch_reloads_and_the_next_batch_runs()
    {
        var loop = HeldWrites();
        var blocker = await OnLoop(() => loop.Enqueue(() => (0, true)));
        var batch = await Task.WhenAll(
            OnLoop(() => loop.Enqueue(() => (1, true))),
            OnLoop(() => loop.Enqueue(() => (2, true))));
        (await Write(0)).SetResult();
        await blocker.WaitAsync(Patience, TestContext.Current.CancellationToken);

        (await Write(1)).SetException(new IOException("disk full"));

        foreach (var caller in batch)
        {
            var error = await Assert.ThrowsAsync<IOException>(() => caller.WaitAsync(Patience, TestContext.Current.CancellationToken));
            Assert.Equal("disk full", error.Message);
        }
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref _reloads) == 1), Patience);

        var after = await OnLoop(() => loop.Enqueue(() => (3, true)));
        (await Write(2)).SetResult();
        Assert.Equal(3, await after.WaitAsync(Patience, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task When_the_reload_after_a_failed_write_fails_too_nothing_is_served_from_the_state_again()
    {
        var loop = HeldWrites(reload: () => Task.FromException(new IOException("database gone")));
        var caller = await OnLoop(() => loop.Enqueue(() => (1, true)));

        (await Write(0)).SetException(new IOException("disk full"));
        await Assert.ThrowsAsync<IOException>(() => caller.WaitAsync(Patience, TestContext.Current.CancellationToken));

        var later = await OnLoop(() => loop.Enqueue(() => (2, true)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => later.WaitAsync(Patience, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(() => OnLoop(() => { loop.ThrowIfBroken(); return 0; }));
        Assert.Equal(1, Writes);
    }

    [Fact]
    public async Task A_failed_prepare_fails_its_batch_before_anything_is_applied()
    {
        var applied = 0;
        var loop = HeldWrites(prepare: () => Task.FromException(new IOException("replay lookup failed")));

        var caller = await OnLoop(() => loop.Enqueue(() =>
        {
            applied++;
            return (1, true);
        }));

        await Assert.ThrowsAsync<IOException>(() => caller.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(0, applied);
        Assert.Equal(0, Writes);
    }
}
