namespace OrleansLicensing.Storage;

/// <summary>Names shared by the grains and the host's storage configuration.</summary>
public static class LicensingStorage
{
    /// <summary>The grain storage provider every grain of the product persists to.</summary>
    public const string Name = "licensing";
}
