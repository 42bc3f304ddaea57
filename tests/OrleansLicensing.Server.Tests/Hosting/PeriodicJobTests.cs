using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>How a background job reports runs that keep failing.</summary>
public sealed class PeriodicJobTests
{
    private sealed class Entries : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Error)> Logged { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Logged) Logged.Add((logLevel, formatter(state, exception), exception));
        }
    }

    private sealed class FlakyJob(TimeProvider time, ILogger logger) : PeriodicJob(time, logger)
    {
        public volatile bool Fail = true;
        public readonly SemaphoreSlim Ran = new(0);

        protected override TimeSpan Interval => TimeSpan.FromMilliseconds(250);

        protected override Task RunOnceAsync(CancellationToken cancellationToken)
        {
            try
            {
                return Fail ? Task.FromException(new InvalidOperationException("attempt to write a readonly database\nmore detail")) : Task.CompletedTask;
            }
            finally
            {
                Ran.Release();
            }
        }
    }

    [Fact]
    public async Task A_job_that_keeps_failing_logs_the_first_failure_in_full_then_one_line_a_minute_then_its_recovery()
    {
        var time = new FakeTimeProvider();
        var log = new Entries();
        using var job = new FlakyJob(time, log);
        await job.StartAsync(TestContext.Current.CancellationToken);

        // The timer is made once the job's loop is running: move the clock until the first run happens.
        var started = false;
        for (var attempt = 0; attempt < 200 && !started; attempt++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            started = await job.Ran.WaitAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }
        Assert.True(started, "the job never ran");

        // Two minutes of runs every 250 ms, every one failing (the first is above).
        for (var run = 1; run <= 480; run++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            Assert.True(await job.Ran.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), $"run {run + 1} did not happen");
        }
        job.Fail = false;
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(await job.Ran.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await job.StopAsync(TestContext.Current.CancellationToken);

        List<(LogLevel Level, string Message, Exception? Error)> logged;
        lock (log.Logged) logged = [.. log.Logged];
        var warnings = logged.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Equal(3, warnings.Count); // the first, then at one and at two minutes
        Assert.NotNull(warnings[0].Error);
        Assert.All(warnings.Skip(1), w => Assert.Null(w.Error));
        Assert.Equal("Background job FlakyJob still failing (241 runs in a row): InvalidOperationException: attempt to write a readonly database", warnings[1].Message);
        Assert.Equal("Background job FlakyJob still failing (481 runs in a row): InvalidOperationException: attempt to write a readonly database", warnings[2].Message);
        Assert.Equal("Background job FlakyJob ran again after 481 failed runs", Assert.Single(logged, e => e.Level == LogLevel.Information).Message);
    }
}
