using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// The version field of an offline file (docs/protocol.md §18.2/§18.3): <c>unsupported_version</c> when "<c>v</c>
/// is not the number 1". The number 1 is a JSON number whose value is 1, however it is written — §2.2 makes
/// <c>3600.0</c> the integer 3600, and §4.1 signs the bytes as produced, without canonicalisation — while a
/// boolean, a string or any other value is not. Each case re-signs the official <c>good_bound</c> vector's
/// payload with only <c>v</c> rewritten.
/// </summary>
public sealed class OfflineLicenseVersionTests
{
    private sealed record GoodBound(string PayloadJson, string Signature, string AppId, string Hwid, DateTimeOffset Now);

    private static GoodBound LoadGoodBound()
    {
        using var vectors = SpecVectors.Load("offline_license_vectors.json");
        var c = vectors.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "good_bound");
        return new GoodBound(
            Encoding.UTF8.GetString(Convert.FromBase64String(c.GetProperty("payloadBase64").GetString()!)),
            c.GetProperty("signatureBase64").GetString()!,
            c.GetProperty("appId").GetString()!,
            c.GetProperty("hwid").GetString()!,
            DateTimeOffset.Parse(c.GetProperty("now").GetString()!, CultureInfo.InvariantCulture));
    }

    private static string WithVersion(string payloadJson, string version)
    {
        Assert.StartsWith("""{"v":1,""", payloadJson, StringComparison.Ordinal);
        return """{"v":""" + version + payloadJson["""{"v":1""".Length..];
    }

    private static OfflineLicenseResult Verify(GoodBound good, string payloadJson) =>
        OfflineLicenseVerifier.Verify(OfflineFileSigner.File(payloadJson), good.AppId, [OfflineFileSigner.PublicKey], good.Hwid, good.Now);

    [Fact]
    public void The_test_signer_reproduces_the_official_signature_of_the_unchanged_payload()
    {
        var good = LoadGoodBound();
        Assert.Equal(good.Signature, OfflineFileSigner.Sign(Convert.ToBase64String(Encoding.UTF8.GetBytes(good.PayloadJson))));
        Assert.True(Verify(good, good.PayloadJson).Valid);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.000")]
    [InlineData("1e0")]
    [InlineData("1E+0")]
    [InlineData("10e-1")]
    [InlineData("0.1e1")]
    public void A_version_written_as_another_form_of_the_number_1_is_accepted(string version)
    {
        var good = LoadGoodBound();
        var result = Verify(good, WithVersion(good.PayloadJson, version));

        Assert.True(result.Valid, $"v:{version} gave {result.Code}");
        Assert.Equal("TEST-KEY0-0000-0000", result.License!.LicenseKey);
        Assert.Equal(version, result.License.Payload.GetProperty("v").GetRawText());
    }

    [Theory]
    [InlineData("2")]
    [InlineData("2.0")]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.00000000000000000000000000001")] // rounds to 1 as a double or decimal: still not 1
    [InlineData("0.99999999999999999999999999999")]
    [InlineData("1e-400")]
    [InlineData("1e400")]
    [InlineData("true")]
    [InlineData("\"1\"")]
    [InlineData("null")]
    [InlineData("[1]")]
    public void Any_other_version_value_is_unsupported_version(string version)
    {
        var good = LoadGoodBound();
        Assert.Equal(OfflineLicenseErrorCodes.UnsupportedVersion, Verify(good, WithVersion(good.PayloadJson, version)).Code);
    }

    [Fact]
    public void A_file_with_version_1_0_logs_in_through_the_client()
    {
        var good = LoadGoodBound();
        var failures = new List<string>();
        using var client = new LicensingClient(new LicensingClientOptions
        {
            AppId = good.AppId,
            AppSecret = "unused-offline",
            PublicKeys = [OfflineFileSigner.PublicKey],
            ApiBaseUrl = new Uri("http://127.0.0.1:1"),
            HwidOverride = good.Hwid,
            TimeProvider = new FixedTime(good.Now),
            OnFailure = (reason, error) => failures.Add(reason + ":" + error.Code),
        });

        Assert.True(client.LoginFromFileText(OfflineFileSigner.File(WithVersion(good.PayloadJson, "1.0"))), string.Join(", ", failures));
        Assert.True(client.IsAuthenticated);
        Assert.Equal(JsonValueKind.Number, client.OfflineLicense!.Payload.GetProperty("v").ValueKind);
    }
}
