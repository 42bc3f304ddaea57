namespace OrleansLicensing.Licenses;

/// <summary>Limits of offline license files (docs/developer-api.md §4.3a).</summary>
public static class OfflineFileLimits
{
    /// <summary>Files one license keeps; each holds its armored text (about 1–2 KB). A mint beyond it is refused.</summary>
    public const int MaxFilesPerLicense = 100;
}
