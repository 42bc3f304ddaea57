using Orleans.Concurrency;

namespace OrleansLicensing.Licenses;

/// <summary>
/// One license: status, expiry, HWID slots and bindings. Keyed by <see cref="KeyFor"/> of the
/// canonical key (keys are unique across the deployment). Calls are processed one at a time,
/// which serialises concurrent validates of one license: never more bound HWIDs than slots.
/// </summary>
public interface ILicenseGrain : IGrainWithStringKey
{
    /// <summary>The grain key of a canonical license key.</summary>
    public static string KeyFor(string canonicalKey) => "lic_" + canonicalKey;

    /// <summary>Creates the license; <c>null</c> if the key was ever used (keys are never reused).</summary>
    Task<LicenseSnapshot?> Create(CreateLicense command);

    /// <summary>The license, or <c>null</c> if it does not exist (never created or deleted).</summary>
    [AlwaysInterleave]
    Task<LicenseSnapshot?> Get();

    /// <summary>Applies a management change durably; <c>null</c> if the license does not exist.</summary>
    Task<LicenseSnapshot?> Change(LicenseChange change);

    /// <summary>Deletes the license: validate answers <c>invalid_key</c>, heartbeats <c>session_expired</c>.</summary>
    Task<bool> Delete();

    /// <summary>
    /// Raises <c>license.expired</c> once per expiry if the license has expired (called by the expiry
    /// sweep); <c>true</c> if it raised it now.
    /// </summary>
    Task<bool> ObserveExpiry();

    /// <summary>V10–V16: checks, binds a new HWID and debits one credit atomically.</summary>
    Task<LicenseVerdict> Validate(LicenseValidation request);

    /// <summary>H11–H17: checks, counts the heartbeat and debits when it is billable.</summary>
    Task<LicenseVerdict> Heartbeat(LicenseHeartbeat request);

    /// <summary>Whether the license exists in <paramref name="appId"/> (self-ban SK9 / SP8).</summary>
    [AlwaysInterleave]
    Task<bool> ExistsIn(string appId);

    /// <summary>
    /// Issues an offline license file (docs/developer-api.md §4.3a): its HWIDs are bound as a validate binds
    /// them, one credit is debited, and the file is stored, together or not at all (the same intent
    /// protocol as a binding validate).
    /// </summary>
    Task<OfflineFileIssueResult> IssueOfflineFile(OfflineFileIssue issue);

    /// <summary>The files issued for the license, oldest first; <c>null</c> if the license does not exist.</summary>
    Task<IReadOnlyList<OfflineFile>?> GetOfflineFiles();
}
