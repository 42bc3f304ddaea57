namespace OrleansLicensing.Licenses;

/// <summary>How a license stores what it writes lazily (<c>Licensing:Storage</c>).</summary>
public sealed class LicenseOptions
{
    /// <summary>
    /// How often a license writes its changed observability data — last seen, last IP, last validated,
    /// non-billable heartbeat counts — (<c>Licensing:Storage:LastSeenFlushInterval</c>). The first write
    /// comes one to two intervals after the first such change (spread at random, so licenses changed
    /// together are not written together), and an activation writes what is left when it is collected.
    /// None of it is billing data: credits and heartbeat counts are durable before each answer.
    /// </summary>
    public TimeSpan LastSeenFlushInterval { get; set; } = DefaultLastSeenFlushInterval;

    /// <summary>The default of <see cref="LastSeenFlushInterval"/>, also the configuration default.</summary>
    public static readonly TimeSpan DefaultLastSeenFlushInterval = TimeSpan.FromMinutes(1);
}
