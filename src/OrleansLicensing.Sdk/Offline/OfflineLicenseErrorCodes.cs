namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// The codes of an offline license file that does not verify (docs/protocol.md §18.3), in the order they are
/// checked. <c>expired</c> and <c>hwid_mismatch</c> are the same strings as the online codes.
/// </summary>
public static class OfflineLicenseErrorCodes
{
    /// <summary>The armor is broken: markers, the blank line after the headers, or a base64 block.</summary>
    public const string BadArmor = "bad_armor";
    /// <summary>The signature does not verify under any trusted public key (checked before the payload is read).</summary>
    public const string BadSignature = "bad_signature";
    /// <summary>The signed payload's <c>v</c> is not the number 1.</summary>
    public const string UnsupportedVersion = "unsupported_version";
    /// <summary>The signed payload does not have the shape of §18.2.</summary>
    public const string MalformedPayload = "malformed_payload";
    /// <summary>The file was issued for another app.</summary>
    public const string WrongApp = "wrong_app";
    /// <summary>The file's <c>expiresAt</c> is at or before now.</summary>
    public const string Expired = LicensingErrorCodes.Expired;
    /// <summary>The file is bound to HWIDs and this machine's HWID is empty or not among them.</summary>
    public const string HwidMismatch = LicensingErrorCodes.HwidMismatch;
    /// <summary><see cref="LicensingClient.LoginFromFile(string)"/> could not read the file (missing, no permission); not a verification step.</summary>
    public const string FileUnreadable = "file_unreadable";
}
