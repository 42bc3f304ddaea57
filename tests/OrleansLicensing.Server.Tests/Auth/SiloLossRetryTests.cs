using Orleans.Runtime;

namespace OrleansLicensing.Server.Auth;

/// <summary>Which failures a request rides out while a dead silo is being declared dead, and for how long.</summary>
public sealed class SiloLossRetryTests
{
    [Fact]
    public async Task A_lost_silo_is_retried_until_the_grain_answers_from_its_new_silo()
    {
        var attempts = 0;
        var answer = await SiloLossRetry.RunAsync(() =>
        {
            attempts++;
            return attempts < 3 ? Task.FromException<int>(new SiloUnavailableException("gone")) : Task.FromResult(42);
        }, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal((42, 3), (answer, attempts));
    }

    [Fact]
    public async Task Any_other_failure_is_not_repeated()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => SiloLossRetry.RunAsync<int>(() =>
        {
            attempts++;
            throw new InvalidOperationException("the operation itself failed");
        }, TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_silo_that_stays_lost_fails_the_request_within_the_budget()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var attempts = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => SiloLossRetry.RunAsync<int>(() =>
        {
            attempts++;
            throw new SiloUnavailableException("target silo is unavailable");
        }, TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(5), SiloLossRetry.Budget + TimeSpan.FromSeconds(2));
        Assert.InRange(attempts, 3, 15);
    }
}
