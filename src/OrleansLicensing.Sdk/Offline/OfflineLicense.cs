using System.Text.Json;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>The verified content of an offline license file (docs/protocol.md §18.2).</summary>
public sealed class OfflineLicense
{
    internal OfflineLicense(
        string appId, string licenseKey, string fileId, string keyId, DateTimeOffset issuedAt, DateTimeOffset? expiresAt,
        bool anyMachine, IReadOnlyList<string> hwids, string? label, DateTimeOffset? licenseExpiresAt,
        IReadOnlyDictionary<string, JsonElement> licenseVariables, IReadOnlyDictionary<string, JsonElement> appVariables,
        JsonElement payload)
    {
        AppId = appId;
        LicenseKey = licenseKey;
        FileId = fileId;
        KeyId = keyId;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
        AnyMachine = anyMachine;
        Hwids = hwids;
        Label = label;
        LicenseExpiresAt = licenseExpiresAt;
        LicenseVariables = licenseVariables;
        AppVariables = appVariables;
        Payload = payload;
    }

    /// <summary>The app the file was issued for.</summary>
    public string AppId { get; }

    /// <summary>The license key the file carries.</summary>
    public string LicenseKey { get; }

    /// <summary>The file's unique id (<c>jti</c>, the server's <c>fileId</c>).</summary>
    public string FileId { get; }

    /// <summary>The <c>keyId</c> of the key that signed the file (informational: any trusted key is accepted).</summary>
    public string KeyId { get; }

    /// <summary>When the server minted the file.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When the file stops verifying; null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>True for a <c>mode: "any"</c> file, which verifies on every machine.</summary>
    public bool AnyMachine { get; }

    /// <summary>The HWIDs a bound file verifies on (empty for <see cref="AnyMachine"/>).</summary>
    public IReadOnlyList<string> Hwids { get; }

    /// <summary>The license's label, if the file carries one.</summary>
    public string? Label { get; }

    /// <summary>The license's own expiry when the file was minted; null for a lifetime license or when absent.</summary>
    public DateTimeOffset? LicenseExpiresAt { get; }

    /// <summary>The license's variables when the file was minted.</summary>
    public IReadOnlyDictionary<string, JsonElement> LicenseVariables { get; }

    /// <summary>The app's variables when the file was minted.</summary>
    public IReadOnlyDictionary<string, JsonElement> AppVariables { get; }

    /// <summary>The whole verified payload.</summary>
    public JsonElement Payload { get; }

    /// <summary>A short description without the license key.</summary>
    public override string ToString() => $"OfflineLicense {{ FileId = {FileId}, ExpiresAt = {ExpiresAt:O}, AnyMachine = {AnyMachine} }}";
}

/// <summary>The outcome of verifying an offline license file: the license, or the first failing check's code.</summary>
public sealed class OfflineLicenseResult
{
    private OfflineLicenseResult(OfflineLicense? license, string? code)
    {
        License = license;
        Code = code;
    }

    internal static OfflineLicenseResult Success(OfflineLicense license) => new(license, null);

    internal static OfflineLicenseResult Failure(string code) => new(null, code);

    /// <summary>True when every check of §18.3 passed.</summary>
    public bool Valid => Code is null;

    /// <summary>The first failing check (<see cref="OfflineLicenseErrorCodes"/>), null when <see cref="Valid"/>.</summary>
    public string? Code { get; }

    /// <summary>The verified license (null unless <see cref="Valid"/>).</summary>
    public OfflineLicense? License { get; }

    /// <summary>Never prints the license key.</summary>
    public override string ToString() => Valid ? $"OfflineLicenseResult {{ Valid = True, {License} }}" : $"OfflineLicenseResult {{ Valid = False, Code = {Code} }}";
}
