namespace OrleansLicensing.Storage;

/// <summary>
/// The pacing rule as the silo's heartbeat counter journal uses it: callers report queued work under
/// a lock, while the end of a wait runs on another thread, outside that lock.
/// </summary>
/// <remarks>
/// The race this guards (a caller reading the full-batch signal twice, the second time after the
/// wait's end cleared it: a <c>NullReferenceException</c> and a heartbeat answered <c>system_error</c>)
/// shows reliably with <c>DOTNET_JITMinOpts=1</c>; optimized code usually reads the field once, so
/// scripts/test.sh runs the tests of trait <c>Category=Race</c> a second time with that setting.
/// </remarks>
public sealed class CommitWindowTests
{
    [Fact]
    [Trait("Category", "Race")]
    public async Task A_full_batch_ends_each_wait_at_once_and_never_fails_the_caller_while_the_wait_ends_on_another_thread()
    {
        const int fullBatch = 20;
        var pace = new CommitWindow(TimeSpan.FromMilliseconds(50), fullBatch);
        var gate = new Lock();
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var waits = 0;

        // The write loop: each wait is ended early by a full batch (below), and its end runs on a pool thread.
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                ValueTask wait;
                lock (gate)
                {
                    pace.WriteStarted();
                    wait = pace.WaitBeforeWriteAsync(1);
                }
                await wait;
                waits++;
            }
        }, TestContext.Current.CancellationToken);
        // The callers: a full batch, reported again and again while the loop's waits come and go.
        var callers = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                lock (gate) pace.Queued(fullBatch);
            }
        }, TestContext.Current.CancellationToken);

        await Task.WhenAll(loop, callers); // a race in Queued would surface here as an exception
        // With a 50 ms window, 2 s would allow about 40 waits; each ended at once by the full batch.
        Assert.True(waits > 100, $"only {waits} waits in 2 s: a full batch did not end them at once");
    }
}
