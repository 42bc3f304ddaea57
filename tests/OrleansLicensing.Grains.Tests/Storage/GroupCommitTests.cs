namespace OrleansLicensing.Storage;

/// <summary>
/// The loop itself, with a write that commits at once and hands its durability over (as the
/// SQLite grain storage does inside a <see cref="DeferredDurability"/> scope), so the order of
/// commits, durability and answers can be controlled step by step.
/// </summary>
public sealed class GroupCommitTests
{
    private readonly List<TaskCompletionSource> _durable = [];
    private int _writes;

    private GroupCommit NewLoop() => new(write: () =>
    {
        _writes++;
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _durable.Add(durable);
        Assert.True(DeferredDurability.TryDefer(durable.Task), "the loop opens a scope around its write");
        return Task.CompletedTask;
    }, reload: () => Task.CompletedTask);

    [Fact]
    public async Task The_next_batch_is_written_while_the_previous_one_waits_for_durability()
    {
        var loop = NewLoop();

        var first = loop.Enqueue(() => (1, true));
        var second = loop.Enqueue(() => (2, true)); // the first write is committed, not durable

        Assert.Equal(2, _writes);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        _durable[0].SetResult();
        Assert.Equal(1, await first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.False(second.IsCompleted);

        _durable[1].SetResult();
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_batch_is_answered_only_after_every_earlier_batch_even_when_durable_first()
    {
        var loop = NewLoop();
        var first = loop.Enqueue(() => (1, true));
        var second = loop.Enqueue(() => (2, true));

        _durable[1].SetResult();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(second.IsCompleted);
        Assert.False(first.IsCompleted);

        _durable[0].SetResult();
        Assert.Equal(1, await first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_write_that_does_not_become_durable_fails_its_own_callers_only()
    {
        var loop = NewLoop();
        var first = loop.Enqueue(() => (1, true));
        var second = loop.Enqueue(() => (2, true));

        _durable[0].SetException(new IOException("fsync failed"));
        _durable[1].SetResult();

        var error = await Assert.ThrowsAsync<IOException>(() => first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Equal("fsync failed", error.Message);
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_storage_without_a_deferred_wait_answers_when_the_write_returns()
    {
        var loop = new GroupCommit(write: () => Task.CompletedTask, reload: () => Task.CompletedTask);

        Assert.Equal(7, await loop.Enqueue(() => (7, true)).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Outside_a_scope_a_storage_keeps_its_wait()
    {
        Assert.False(DeferredDurability.TryDefer(Task.CompletedTask));
    }
}
