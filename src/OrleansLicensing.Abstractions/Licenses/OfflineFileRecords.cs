namespace OrleansLicensing.Licenses;

/// <summary>Whom an offline license file admits (docs/protocol.md §18.2, <c>hwid.mode</c>).</summary>
public enum OfflineFileMode
{
    /// <summary>Only the listed HWIDs, which are bound to the license like a validate binds them.</summary>
    Bound = 0,
    /// <summary>Any machine; only for licenses with unlimited HWID slots.</summary>
    Any = 1,
}

/// <summary>
/// An offline license file as issued: its metadata and the exact armored text (signed at the edge with
/// the app's current key), kept so that the file can be downloaded again byte for byte.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OfflineFile(
    [property: Id(0)] string FileId,
    [property: Id(1)] string LicenseKey,
    [property: Id(2)] string AppId,
    [property: Id(3)] string KeyId,
    [property: Id(4)] OfflineFileMode Mode,
    [property: Id(5)] string[] Hwids,
    [property: Id(6)] DateTimeOffset IssuedAt,
    [property: Id(7)] DateTimeOffset? ExpiresAt,
    [property: Id(8)] string Text,
    [property: Id(9)] string? RequestKey);

/// <summary>
/// What the license's terms were when the edge built a file's payload; the grain refuses the issue
/// (<see cref="OfflineFileIssueStatus.TermsChanged"/>) if they changed since, so a file never carries stale terms.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OfflineFileTerms(
    [property: Id(0)] DateTimeOffset? LicenseExpiresAt,
    [property: Id(1)] string? Label,
    [property: Id(2)] Variable[] Variables,
    [property: Id(3)] bool UnlimitedHwidSlots);

/// <summary>
/// Issue <see cref="File"/>: bind its HWIDs, debit one credit (ledger kind <c>offline_file</c>, under the
/// app's daily cap) and store it, all or nothing. <see cref="OfflineFile.RequestKey"/>, when set, makes a
/// repeated issue return the file stored first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OfflineFileIssue(
    [property: Id(0)] string AppId,
    [property: Id(1)] OfflineFile File,
    [property: Id(2)] long? DailyCreditCap,
    [property: Id(3)] OfflineFileTerms Terms);

/// <summary>How an offline-file issue ended.</summary>
public enum OfflineFileIssueStatus
{
    /// <summary>The file, its debit and its bindings are committed.</summary>
    Issued = 0,
    /// <summary>A file with the same request key was issued before; it is returned, nothing else changed.</summary>
    Replayed = 1,
    /// <summary>No such license in the app.</summary>
    LicenseNotFound = 2,
    /// <summary>The license is revoked.</summary>
    Revoked = 3,
    /// <summary>The license has expired.</summary>
    Expired = 4,
    /// <summary>The license's terms changed after the payload was built; build it again.</summary>
    TermsChanged = 5,
    /// <summary>The file's HWIDs do not fit the free slots; nothing was bound.</summary>
    SlotsFull = 6,
    /// <summary>The account's balance is below one credit.</summary>
    NoCredits = 7,
    /// <summary>The app's daily credit cap is reached.</summary>
    DailyCapReached = 8,
    /// <summary>The license holds the most files it may keep (<see cref="OfflineFileLimits.MaxFilesPerLicense"/>).</summary>
    TooManyFiles = 9,
}

/// <summary>The outcome of an issue: the stored file when issued or replayed.</summary>
/// <remarks><see cref="BoundHwids"/> and <see cref="MaxHwidSlots"/> are the license's as the grain decided
/// <see cref="OfflineFileIssueStatus.SlotsFull"/>, for the refusal's message.</remarks>
[GenerateSerializer, Immutable]
public sealed record OfflineFileIssueResult(
    [property: Id(0)] OfflineFileIssueStatus Status,
    [property: Id(1)] OfflineFile? File = null,
    [property: Id(2)] int BoundHwids = 0,
    [property: Id(3)] int MaxHwidSlots = 0);
