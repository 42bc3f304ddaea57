namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Rides out a silo that died (docs/design.md, "A silo dies"): until the cluster declares it dead
/// (a few seconds), calls to grains it hosted fail with <see cref="SiloUnavailableException"/> or a
/// message rejection, and succeed once the grains activate elsewhere. Operations given here are
/// retried on those failures only, with short pauses, for at most <see cref="Budget"/>; they must
/// be safe to repeat. A validate is: its nonce is recorded by the same write as its debit, so a
/// repeat of a validate that did commit is refused as a replay and never debits twice.
/// </summary>
public static class SiloLossRetry
{
    /// <summary>How long a request keeps trying before it answers <c>system_error</c>.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(8);

    /// <summary>Runs <paramref name="operation"/>, repeating it while the failure is the loss of a silo.</summary>
    public static Task<T> RunAsync<T>(Func<Task<T>> operation, TimeProvider time, CancellationToken cancellationToken) =>
        RunAsync(_ => operation(), time, cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/>, repeating it while the failure is the loss of a silo; its
    /// argument says whether this run is a repeat (for an operation that must count a request once).
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<bool, Task<T>> operation, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(100);
        var repeat = false;
        while (true)
        {
            try
            {
                return await operation(repeat);
            }
            catch (Exception error) when (IsSiloLoss(error) && time.GetElapsedTime(started) + pause < Budget && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(pause, time, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                repeat = true;
            }
        }
    }

    /// <summary>Whether the failure says a silo is gone (not that the operation itself failed).</summary>
    public static bool IsSiloLoss(Exception error) => error switch
    {
        SiloUnavailableException => true,
        OrleansMessageRejectionException => true,
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsSiloLoss(aggregate.InnerExceptions[0]),
        _ => false,
    };
}
