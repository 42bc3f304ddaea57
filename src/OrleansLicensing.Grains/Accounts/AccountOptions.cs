namespace OrleansLicensing.Accounts;

/// <summary>How an account raises account-wide events (<c>Licensing:Webhooks</c>) and batches its writes.</summary>
public sealed class AccountOptions
{
    /// <summary><c>credits.low</c> is raised when a change takes the balance from at least this value to below it.</summary>
    public long CreditsLowThreshold { get; set; } = DefaultCreditsLowThreshold;

    /// <summary>The default of <see cref="CreditsLowThreshold"/>, also the configuration default (<c>Licensing:Webhooks:CreditsLowThreshold</c>).</summary>
    public const long DefaultCreditsLowThreshold = 100;

    /// <summary>
    /// Shortest time between two storage writes of one account under sustained load (its group
    /// commit window, <c>Licensing:Storage:GroupCommitWindow</c>): every debit that arrives within it
    /// shares the next write. Zero writes as soon as the previous write is done.
    /// </summary>
    public TimeSpan GroupCommitWindow { get; set; } = DefaultGroupCommitWindow;

    /// <summary>The default of <see cref="GroupCommitWindow"/>, also the configuration default.</summary>
    public static readonly TimeSpan DefaultGroupCommitWindow = TimeSpan.FromMilliseconds(4);

    /// <summary>
    /// Operations that make a batch full (<c>Licensing:Storage:GroupCommitBatch</c>): a full batch is
    /// written at once instead of waiting out the rest of <see cref="GroupCommitWindow"/>. 0 always waits.
    /// </summary>
    public int GroupCommitBatch { get; set; } = DefaultGroupCommitBatch;

    /// <summary>The default of <see cref="GroupCommitBatch"/> (docs/benchmarks.md, "The account's full batch").</summary>
    public const int DefaultGroupCommitBatch = 28;

    /// <summary>
    /// Licenses that make a batch of the silo's heartbeat-counter writes full
    /// (<c>Licensing:Storage:HeartbeatCounterBatch</c>); those writes take <see cref="GroupCommitWindow"/>
    /// too. Separate from <see cref="GroupCommitBatch"/>: a counter batch that waits for more licenses
    /// holds more of the clients' connections, so it is tuned on its own. 0 always waits.
    /// </summary>
    public int HeartbeatCounterBatch { get; set; } = DefaultHeartbeatCounterBatch;

    /// <summary>The default of <see cref="HeartbeatCounterBatch"/>.</summary>
    public const int DefaultHeartbeatCounterBatch = 20;
}
