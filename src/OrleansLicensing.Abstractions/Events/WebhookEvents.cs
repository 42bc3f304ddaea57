namespace OrleansLicensing.Events;

/// <summary>The event names of docs/developer-api.md §4.4 (and docs/protocol.md §15).</summary>
public static class WebhookEvents
{
    public const string LicenseCreated = "license.created";
    public const string LicenseValidated = "license.validated";
    public const string LicenseActivated = "license.activated";
    public const string LicenseHwidBound = "license.hwid_bound";
    public const string LicenseHwidReset = "license.hwid_reset";
    public const string LicenseRevoked = "license.revoked";
    public const string LicenseDeleted = "license.deleted";
    public const string LicenseExpired = "license.expired";
    public const string LicenseOfflineFileIssued = "license.offline_file_issued";
    public const string CreditsLow = "credits.low";
    public const string TestPing = "test.ping";

    /// <summary>Every event a webhook may subscribe to.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        LicenseCreated, LicenseValidated, LicenseActivated, LicenseHwidBound, LicenseHwidReset,
        LicenseRevoked, LicenseDeleted, LicenseExpired, LicenseOfflineFileIssued, CreditsLow, TestPing,
    ];

    /// <summary>Whether <paramref name="name"/> is one of <see cref="All"/> (case-sensitive).</summary>
    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);
}
