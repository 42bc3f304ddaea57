using System.Net;
using OrleansLicensing.Sdk.given;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// The vendor's offline workflow end to end over real HTTP: the customer's machine writes an activation
/// request, the vendor mints a file from it, the SDK logs in from the file on that machine only.
/// </summary>
[Collection(SdkServerCollection.Name)]
public sealed class OfflineWorkflowTests(SdkServer server) : SdkSpec(server)
{
    [Fact]
    public async Task A_file_minted_from_an_activation_request_logs_in_on_that_machine_and_nowhere_else()
    {
        using var vendor = await VendorApi.CreateAsync(Host);
        var app = await vendor.CreateApp();
        var key = await vendor.CreateLicense(app.AppId);

        // The customer's machine, never online: it only writes the request.
        var customer = Client(app, o => o.ApiBaseUrl = new Uri("http://127.0.0.1:1"));
        var request = customer.CreateActivationRequest(key);

        var parsed = await vendor.Post($"/v1/apps/{app.AppId}/activation-requests", new { request }, HttpStatusCode.OK);
        Assert.Equal(customer.Hwid, parsed.GetProperty("hwid").GetString());
        Assert.Equal(key, parsed.GetProperty("licenseKey").GetString());

        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);
        var minted = await vendor.Post($"/v1/licenses/{key}/offline-files",
            new { expiresAt = expiresAt.ToString("O"), activationRequest = request }, HttpStatusCode.Created);
        var file = minted.GetProperty("file").GetString()!;
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.authforge");
        await File.WriteAllTextAsync(path, file, Cancel);
        try
        {
            Assert.True(customer.LoginFromFile(path), string.Join(", ", Failures.Select(f => f.Error.Code)));
            Assert.True(customer.IsAuthenticated);
            Assert.Equal(key, customer.OfflineLicense!.LicenseKey);
            Assert.Equal(app.KeyId, customer.KeyId);
            Assert.Equal(minted.GetProperty("fileId").GetString(), customer.OfflineLicense.FileId);
            Assert.Equal([customer.Hwid], customer.OfflineLicense.Hwids);
            Assert.Empty(Failures);

            var elsewhere = Client(app, o => o.ApiBaseUrl = new Uri("http://127.0.0.1:1"));
            Assert.False(elsewhere.LoginFromFile(path));
            Assert.Equal(OfflineLicenseErrorCodes.HwidMismatch, Assert.Single(Failures).Error.Code);
            Assert.False(elsewhere.IsAuthenticated);
        }
        finally
        {
            File.Delete(path);
        }

        // The file's HWID is bound like a validate binds it: the machine can also go online with the license.
        var online = Client(app, o => o.HwidOverride = customer.Hwid);
        await LoginOk(online, key);
    }

    [Fact]
    public async Task Server_minted_files_verify_like_the_vectors_good_cases_and_fail_like_their_bad_ones()
    {
        using var vendor = await VendorApi.CreateAsync(Host);
        var app = await vendor.CreateApp();
        var key = await vendor.CreateLicense(app.AppId, slots: 2);
        var expiresAt = DateTimeOffset.UtcNow.AddDays(2);
        var file = (await vendor.Post($"/v1/licenses/{key}/offline-files",
            new { expiresAt = expiresAt.ToString("O"), hwids = new[] { "box-1", "box-2" } }, HttpStatusCode.Created)).GetProperty("file").GetString()!;
        var now = DateTimeOffset.UtcNow;

        Assert.True(OfflineLicenseVerifier.Verify(file, app.AppId, [app.PublicKey], "box-1", now).Valid);
        Assert.True(OfflineLicenseVerifier.Verify(file, app.AppId, [app.PublicKey], "box-2", now).Valid);
        var rewrapped = "\uFEFFForwarded\r\n" + file.Replace("\n", "\r\n", StringComparison.Ordinal);
        Assert.True(OfflineLicenseVerifier.Verify(rewrapped, app.AppId, [app.PublicKey], "box-1", now).Valid);
        Assert.Equal(OfflineLicenseErrorCodes.HwidMismatch, OfflineLicenseVerifier.Verify(file, app.AppId, [app.PublicKey], "box-3", now).Code);
        Assert.Equal(OfflineLicenseErrorCodes.WrongApp, OfflineLicenseVerifier.Verify(file, "another-app", [app.PublicKey], "box-1", now).Code);
        Assert.Equal(OfflineLicenseErrorCodes.Expired, OfflineLicenseVerifier.Verify(file, app.AppId, [app.PublicKey], "box-1", expiresAt.AddSeconds(1)).Code);
        Assert.Equal(OfflineLicenseErrorCodes.BadSignature, OfflineLicenseVerifier.Verify(file, app.AppId, ["PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="], "box-1", now).Code);
        var lines = file.Split('\n');
        var blank = Array.IndexOf(lines, "");
        lines[blank + 1] = (lines[blank + 1][0] == 'A' ? 'B' : 'A') + lines[blank + 1][1..];
        Assert.Equal(OfflineLicenseErrorCodes.BadSignature, OfflineLicenseVerifier.Verify(string.Join('\n', lines), app.AppId, [app.PublicKey], "box-1", now).Code);
    }
}
