namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Gives memory back to the operating system once a silo has gone quiet. After a launch spike,
/// Orleans deactivates the idle license grains, but the garbage collector only runs when something
/// allocates, so a quiet silo kept its peak resident size for hours (docs/benchmarks.md). Once a
/// minute this checks whether a full collection has happened since the last check; if none has and
/// the managed heap is still large, it runs one aggressive, compacting collection, which returns
/// freed regions to the system. Under load full collections happen anyway and this does nothing.
/// </summary>
public sealed partial class IdleMemoryTrim(TimeProvider time, ILogger<IdleMemoryTrim> logger) : PeriodicJob(time, logger)
{
    /// <summary>How often the heap is looked at.</summary>
    internal static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    /// <summary>Heaps smaller than this are left alone: a trim would give back little.</summary>
    internal const long LargeHeapBytes = 256L * 1024 * 1024;

    private int _fullCollections = GC.CollectionCount(2);

    protected override TimeSpan Interval => Every;

    protected override Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = GC.CollectionCount(2);
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        if (now == _fullCollections && heap >= LargeHeapBytes)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            LogTrimmed(Logger, heap >> 20, GC.GetGCMemoryInfo().HeapSizeBytes >> 20);
            now = GC.CollectionCount(2);
        }
        _fullCollections = now;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idle silo: trimmed the managed heap from {BeforeMiB} MiB to {AfterMiB} MiB")]
    private static partial void LogTrimmed(ILogger logger, long beforeMiB, long afterMiB);
}
