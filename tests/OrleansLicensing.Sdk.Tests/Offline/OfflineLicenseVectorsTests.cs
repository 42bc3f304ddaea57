using System.Globalization;
using System.Text.Json;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>The official offline-file vectors (docs/protocol.md §18.3): every case gives its expected result, standalone and through the client.</summary>
public sealed class OfflineLicenseVectorsTests
{
    private sealed record Case(string Name, string AppId, string PublicKey, string Hwid, DateTimeOffset Now, string File, string Expect);

    private static List<Case> Cases()
    {
        using var vectors = SpecVectors.Load("offline_license_vectors.json");
        return vectors.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.GetProperty("appId").GetString()!,
            c.GetProperty("publicKey").GetString()!,
            c.GetProperty("hwid").GetString()!,
            DateTimeOffset.Parse(c.GetProperty("now").GetString()!, CultureInfo.InvariantCulture),
            c.GetProperty("file").GetString()!,
            c.GetProperty("expect").GetString()!)).ToList();
    }

    [Fact]
    public void Every_vector_case_gives_its_expected_result()
    {
        var cases = Cases();
        Assert.Equal(22, cases.Count);
        foreach (var c in cases)
        {
            var result = OfflineLicenseVerifier.Verify(c.File, c.AppId, [c.PublicKey], c.Hwid, c.Now);
            Assert.True((result.Code ?? "ok") == c.Expect, $"{c.Name}: expected {c.Expect}, got {result.Code ?? "ok"}");
        }
    }

    [Fact]
    public void Every_vector_case_logs_in_or_fails_through_the_client_with_the_same_code()
    {
        foreach (var c in Cases())
        {
            var failures = new List<string>();
            using var client = new LicensingClient(new LicensingClientOptions
            {
                AppId = c.AppId,
                AppSecret = "unused-offline",
                PublicKeys = [c.PublicKey],
                ApiBaseUrl = new Uri("http://localhost:1"),
                HwidOverride = c.Hwid,
                TimeProvider = new FixedTime(c.Now),
                OnFailure = (reason, error) => failures.Add(reason + ":" + error.Code),
            });
            // An empty override means "derive": the cases with an empty HWID test the verifier directly instead.
            if (c.Hwid.Length == 0) continue;

            var loggedIn = client.LoginFromFileText(c.File);
            if (c.Expect == "ok")
            {
                Assert.True(loggedIn, c.Name);
                Assert.True(client.IsAuthenticated, c.Name);
                Assert.Empty(failures);
                Assert.Equal("TEST-KEY0-0000-0000", client.OfflineLicense!.LicenseKey);
                Assert.Equal("kid-test-0001", client.KeyId);
            }
            else
            {
                Assert.False(loggedIn, c.Name);
                Assert.False(client.IsAuthenticated, c.Name);
                Assert.Equal([LicensingClient.LoginFailed + ":" + c.Expect], failures);
            }
        }
    }

    [Fact]
    public void A_good_file_exposes_its_signed_payload()
    {
        var good = Cases().Single(c => c.Name == "good_bound");
        var license = OfflineLicenseVerifier.Verify(good.File, good.AppId, [good.PublicKey], good.Hwid, good.Now).License!;

        Assert.Equal("00000000-0000-4000-8000-000000000001", license.FileId);
        Assert.Equal(["testhwid", "second-machine"], license.Hwids);
        Assert.False(license.AnyMachine);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), license.ExpiresAt);
        Assert.Equal(new DateTimeOffset(2026, 9, 11, 11, 0, 0, TimeSpan.Zero), license.IssuedAt);
        Assert.Equal("Vector license", license.Label);
        Assert.Null(license.LicenseExpiresAt);
        Assert.Equal("pro", license.LicenseVariables["tier"].GetString());
        Assert.Equal(3, license.LicenseVariables["seats"].GetInt32());
        Assert.Equal("dark", license.AppVariables["theme"].GetString());
    }

    [Fact]
    public void A_lifetime_file_keeps_the_session_open_indefinitely_and_sends_nothing()
    {
        var lifetime = Cases().Single(c => c.Name == "good_lifetime");
        using var client = new LicensingClient(new LicensingClientOptions
        {
            AppId = lifetime.AppId,
            AppSecret = "unused-offline",
            PublicKeys = [lifetime.PublicKey],
            // Nothing listens here: any request would fail.
            ApiBaseUrl = new Uri("http://127.0.0.1:1"),
            HwidOverride = lifetime.Hwid,
            TimeProvider = new FixedTime(lifetime.Now),
            OnFailure = (_, e) => Assert.Fail("no failure expected: " + e.Code),
        });

        Assert.True(client.LoginFromFileText(lifetime.File));
        Assert.Equal(DateTimeOffset.MaxValue, client.SessionExpiresAt);
        Assert.True(client.HeartbeatTask.IsCompleted);
        client.Logout();
        Assert.Null(client.OfflineLicense);
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public void A_bound_file_is_refused_on_another_machine_even_after_a_valid_login_elsewhere()
    {
        var good = Cases().Single(c => c.Name == "good_bound");
        Assert.True(OfflineLicenseVerifier.Verify(good.File, good.AppId, [good.PublicKey], " testhwid ", good.Now).Valid);
        Assert.Equal(OfflineLicenseErrorCodes.HwidMismatch, OfflineLicenseVerifier.Verify(good.File, good.AppId, [good.PublicKey], "TESTHWID", good.Now).Code);
        Assert.Equal(OfflineLicenseErrorCodes.HwidMismatch, OfflineLicenseVerifier.Verify(good.File, good.AppId, [good.PublicKey], "   ", good.Now).Code);
    }

    [Fact]
    public void The_signature_is_checked_before_the_payload_is_read()
    {
        // A broken payload under a wrong signature is bad_signature, not malformed_payload or wrong_app.
        var wrongApp = Cases().Single(c => c.Name == "wrong_app");
        var wrongKey = "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=";
        Assert.Equal(OfflineLicenseErrorCodes.BadSignature, OfflineLicenseVerifier.Verify(wrongApp.File, "test-app", [wrongKey], "testhwid", wrongApp.Now).Code);
        // A comma-separated list, as in the client options.
        Assert.True(OfflineLicenseVerifier.Verify(Cases()[0].File, "test-app", [wrongKey + " , " + Cases()[0].PublicKey], "testhwid", Cases()[0].Now).Valid);
    }

    [Fact]
    public void Base64url_or_a_missing_end_marker_is_bad_armor()
    {
        var good = Cases().Single(c => c.Name == "good_bound");
        var urlSafe = good.File.Replace("+", "-", StringComparison.Ordinal).Replace("/", "_", StringComparison.Ordinal);
        Assert.Equal(OfflineLicenseErrorCodes.BadArmor, OfflineLicenseVerifier.Verify(urlSafe, "test-app", [good.PublicKey], "testhwid", good.Now).Code);
        var noEnd = good.File.Replace("-----END AUTHFORGE SIGNATURE-----", "", StringComparison.Ordinal);
        Assert.Equal(OfflineLicenseErrorCodes.BadArmor, OfflineLicenseVerifier.Verify(noEnd, "test-app", [good.PublicKey], "testhwid", good.Now).Code);
    }

    [Fact]
    public void A_missing_file_fails_login_with_file_unreadable()
    {
        string? code = null;
        using var client = new LicensingClient(new LicensingClientOptions
        {
            AppId = "test-app",
            AppSecret = "unused-offline",
            PublicKeys = ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="],
            ApiBaseUrl = new Uri("http://localhost:1"),
            OnFailure = (_, e) => code = e.Code,
        });
        Assert.False(client.LoginFromFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".authforge")));
        Assert.Equal(OfflineLicenseErrorCodes.FileUnreadable, code);
    }

    [Fact]
    public void Hmac_clients_verify_files_with_the_listed_ed25519_key_and_refuse_without_one()
    {
        var good = Cases().Single(c => c.Name == "good_bound");
        LicensingClientOptions Options(params string[] keys) => new()
        {
            AppId = "test-app",
            AppSecret = "secret",
            SigningScheme = SigningScheme.HmacV1,
            PublicKeys = keys,
            ApiBaseUrl = new Uri("http://localhost:1"),
            HwidOverride = "testhwid",
            TimeProvider = new FixedTime(good.Now),
        };

        using var withKey = new LicensingClient(Options(good.PublicKey));
        Assert.True(withKey.VerifyLicenseFile(good.File).Valid);

        using var withoutKey = new LicensingClient(Options());
        Assert.Throws<InvalidOperationException>(() => withoutKey.VerifyLicenseFile(good.File));
    }
}
