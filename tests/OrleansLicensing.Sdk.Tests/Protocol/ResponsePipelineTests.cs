using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;
using static OrleansLicensing.Sdk.given.TamperingProxy;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// The response pipeline R1–R11 of docs/protocol.md §17.4 through real HTTP: the proxy in front of the real
/// server misbehaves the way networks and attackers do, and the SDK reports exactly the local code and
/// retries only what §17.5 allows (4 attempts = 1 + MaxRetries 3; 1 = not retried).
/// </summary>
[Collection(SdkServerCollection.Name)]
public sealed class ResponsePipelineTests(SdkServer server) : SdkSpec(server)
{
    private const string Validate = "/auth/validate";

    private async Task<(ValidationResult Result, int Attempts)> ValidateThrough(Tamper? tamper, TestApp? app = null, Action<LicensingClientOptions>? configure = null)
    {
        app ??= await NewApp();
        var key = await NewLicense(app);
        if (tamper is not null) Proxy.On(Validate, tamper);
        var before = Proxy.Count(Validate);
        var result = await Client(app, configure).ValidateLicenseAsync(key, Cancel);
        var attempts = Proxy.Count(Validate) - before;
        if (!result.Valid) Assert.Equal(attempts, result.Error!.Attempts);
        return (result, attempts);
    }

    private static Tamper Fixed(HttpStatusCode status, string body, string mediaType = "application/json", int? retryAfter = null) =>
        (_, _) => Task.FromResult(Respond(status, body, mediaType, retryAfter));

    // R1: the request did not complete.

    [Fact]
    public async Task R1_a_refused_connection_is_a_network_error_retried_to_the_limit()
    {
        var app = await NewApp();
        var closed = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var (result, attempts) = await ValidateThrough(null, app, o => o.ApiBaseUrl = closed);
        Assert.Equal((LicensingErrorCodes.NetworkError, true, null), (result.Code, result.Error!.IsTransient, result.Error.HttpStatus));
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task R1_a_connection_dropped_by_the_peer_is_a_network_error_retried_to_the_limit()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var dropping = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync(Cancel);
                socket.LingerState = new LingerOption(true, 0); // RST instead of FIN
                socket.Close();
            }
        }, Cancel);
        var app = await NewApp();
        var (result, attempts) = await ValidateThrough(null, app, o => o.ApiBaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"));
        listener.Stop();
        Assert.Equal(LicensingErrorCodes.NetworkError, result.Code);
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task R1_a_reset_or_a_timeout_on_the_way_is_a_network_error_retried_to_the_limit()
    {
        var (reset, resetAttempts) = await ValidateThrough((_, _) => throw new HttpRequestException("connection reset", new IOException("reset by peer")));
        Assert.Equal((LicensingErrorCodes.NetworkError, 4), (reset.Code, resetAttempts));

        var (slow, slowAttempts) = await ValidateThrough(async (attempt, _) =>
        {
            await Task.Delay(Timeout.Infinite, attempt.RequestAborted);
            throw new InvalidOperationException("unreachable");
        }, configure: o => o.RequestTimeout = TimeSpan.FromMilliseconds(150));
        Assert.Equal((LicensingErrorCodes.NetworkError, 4), (slow.Code, slowAttempts));
    }

    // R2: the body is not a JSON object.

    public static TheoryData<int, string, string, string, int> NotJsonObjects => new()
    {
        { 200, "text/html", "<html><body>Hotel Wi-Fi login</body></html>", "invalid_json_response", 4 },
        { 200, "application/json", "[1,2,3]", "response_not_json_object", 4 },
        { 200, "application/json", "", "invalid_json_response", 4 },
        { 502, "text/html", "<html>Bad gateway</html>", "http_error_502", 4 },
        { 503, "application/json", "\"down\"", "http_error_503", 4 },
        { 500, "text/plain", "", "http_error_500", 4 },
        { 408, "text/plain", "timeout", "http_error_408", 4 },
        { 404, "text/html", "<h1>Not Found</h1>", "http_error_404", 1 },
        { 400, "text/plain", "bad", "http_error_400", 1 },
        { 403, "text/html", "<h1>Forbidden by proxy</h1>", "http_error_403", 1 },
    };

    [Theory, MemberData(nameof(NotJsonObjects))]
    public async Task R2_a_body_that_is_not_a_json_object_gets_its_local_code(int status, string mediaType, string body, string code, int expectedAttempts)
    {
        var (result, attempts) = await ValidateThrough(Fixed((HttpStatusCode)status, body, mediaType));
        Assert.Equal(code, result.Code);
        Assert.Equal(status, result.Error!.HttpStatus);
        Assert.Equal(expectedAttempts, attempts);
    }

    [Fact]
    public async Task R2_an_html_429_with_Retry_After_is_retried_no_sooner_than_asked()
    {
        var (result, attempts) = await ValidateThrough(Fixed(HttpStatusCode.TooManyRequests, "<html>slow down</html>", "text/html", retryAfter: 7));
        Assert.Equal((LicensingErrorCodes.HttpError(429), 4), (result.Code, attempts));
        Assert.Equal(TimeSpan.FromSeconds(7), result.Error!.RetryAfter);
        Assert.Equal(3, Time.RequestedWaits.Count);
        Assert.All(Time.RequestedWaits, wait => Assert.True(wait >= TimeSpan.FromSeconds(7), $"waited {wait}"));
    }

    // R3: status is not a success value.

    public static TheoryData<int, string, string, int> FailureBodies => new()
    {
        { 500, """{"status":"failed","error":" SYSTEM_ERROR "}""", "system_error", 4 },
        { 500, """{"status":"failed","error":"server_error"}""", "server_error", 4 },
        { 429, """{"status":"failed","error":"demo_quota_exceeded"}""", "demo_quota_exceeded", 4 },
        { 400, """{"status":"failed","error":"malformed_request"}""", "malformed_request", 1 },
        { 200, """{"status":"failed","error":"checksum_required"}""", "checksum_required", 1 },
        { 200, """{"status":"failed","error":"checksum_mismatch"}""", "checksum_mismatch", 1 },
        { 200, """{"status":"failed","error":"something_new"}""", "unknown_error", 1 },
        { 200, """{"status":"failed"}""", "unknown_error", 1 },
        { 404, """{"status":"failed","error":"not_found"}""", "unknown_error", 1 },
        { 200, """{"status":"Revoked"}""", "revoked", 1 },
        { 200, """{"status":"failed","error":42,"message":"x"}""", "unknown_error", 1 },
        { 200, """{"error":"expired"}""", "expired", 1 },
    };

    [Theory, MemberData(nameof(FailureBodies))]
    public async Task R3_a_failure_body_yields_the_server_code_or_unknown_error(int status, string body, string code, int expectedAttempts)
    {
        var (result, attempts) = await ValidateThrough(Fixed((HttpStatusCode)status, body));
        Assert.Equal(code, result.Code);
        Assert.Equal(expectedAttempts, attempts);
    }

    [Fact]
    public async Task R3_details_and_Retry_After_are_kept_on_the_exception()
    {
        var (result, _) = await ValidateThrough(Fixed(HttpStatusCode.BadRequest, """{"status":"failed","error":"bad_request","details":["hwid: required","nonce: too short (min 8 characters)"]}""", retryAfter: 3));
        Assert.Equal(LicensingErrorCodes.BadRequest, result.Code);
        Assert.Equal(["hwid: required", "nonce: too short (min 8 characters)"], result.Error!.Details);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Error.RetryAfter);
    }

    [Theory]
    [InlineData("\"OK\"")]
    [InlineData("\"Valid\"")]
    [InlineData("\"true\"")]
    [InlineData("\"1\"")]
    [InlineData("true")]
    public async Task R3_other_success_spellings_are_accepted(string status)
    {
        var (result, attempts) = await ValidateThrough(EditEnvelope((envelope, _) => envelope["status"] = JsonNode.Parse(status)));
        Assert.True(result.Valid, result.Code);
        Assert.Equal(1, attempts);
    }

    // R4–R11: a success that does not hold up. Never retried.

    [Fact]
    public async Task R4_a_missing_payload_or_signature_is_reported_and_not_retried()
    {
        var (noPayload, a1) = await ValidateThrough(EditEnvelope((e, _) => e.Remove("payload")));
        Assert.Equal((LicensingErrorCodes.MissingPayload, 1), (noPayload.Code, a1));

        var (noSignature, a2) = await ValidateThrough(EditEnvelope((e, _) => e["signature"] = ""));
        Assert.Equal((LicensingErrorCodes.MissingSignature, 1), (noSignature.Code, a2));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("WzEsMiwzXQ==")]          // [1,2,3]
    [InlineData("//79")]                  // invalid UTF-8
    [InlineData("eyJub25jZSI6")]          // truncated JSON
    public async Task R5_a_payload_that_is_not_base64_of_a_json_object_is_invalid_payload(string p)
    {
        var (result, attempts) = await ValidateThrough(EditEnvelope((e, _) => e["payload"] = p));
        Assert.Equal((LicensingErrorCodes.InvalidPayload, false, 1), (result.Code, result.Error!.IsTransient, attempts));
    }

    [Fact]
    public async Task R5_a_payload_without_base64_padding_is_accepted_when_its_signature_covers_it()
    {
        var app = await NewApp(SigningScheme.HmacV1);
        string? unpadded = null;
        var (result, _) = await ValidateThrough(EditEnvelope((e, attempt) =>
        {
            var payload = Payload(e);
            payload["licenseLabel"] = "x"; // pick a length that needs padding
            var p = Encode(payload);
            while (!p.EndsWith('=')) { payload["licenseLabel"] += "x"; p = Encode(payload); }
            unpadded = p.TrimEnd('=');
            e["payload"] = unpadded;
            e["signature"] = HmacSign(app.AppSecret, attempt.Nonce!, unpadded);
        }), app);
        Assert.True(result.Valid, result.Code);
        Assert.NotNull(unpadded);
        Assert.StartsWith("x", result.LicenseLabel);
    }

    [Fact]
    public async Task R6_a_replayed_earlier_response_is_a_nonce_mismatch_and_not_retried()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app);
        string? recorded = null;
        Proxy.On(Validate, async (_, forward) =>
        {
            using var real = await forward();
            var body = await real.Content.ReadAsStringAsync();
            recorded ??= body;
            return Respond(HttpStatusCode.OK, recorded);
        });
        Assert.True((await client.ValidateLicenseAsync(key, Cancel)).Valid);

        var replayed = await client.ValidateLicenseAsync(key, Cancel);

        Assert.Equal((LicensingErrorCodes.NonceMismatch, false, 1), (replayed.Code, replayed.Error!.IsTransient, replayed.Error.Attempts));
        Assert.Equal(2, Proxy.Count(Validate));
        Assert.Equal(LicensingMessageKind.Unverified, LicensingMessages.KindOf(replayed.Code));
    }

    [Fact]
    public async Task R6_a_swapped_nonce_is_a_nonce_mismatch_even_when_the_signature_matches_it()
    {
        var app = await NewApp(SigningScheme.HmacV1);
        var (result, attempts) = await ValidateThrough(EditEnvelope((e, _) =>
        {
            var payload = Payload(e);
            payload["nonce"] = "0123456789abcdef0123456789abcdef";
            e["payload"] = Encode(payload);
            e["signature"] = HmacSign(app.AppSecret, "0123456789abcdef0123456789abcdef", (string)e["payload"]!);
        }), app);
        Assert.Equal((LicensingErrorCodes.NonceMismatch, 1), (result.Code, attempts));
    }

    [Theory, MemberData(nameof(Schemes))]
    public async Task R7_a_changed_payload_byte_is_a_signature_mismatch_and_not_retried(SigningScheme scheme)
    {
        var app = await NewApp(scheme);
        var (result, attempts) = await ValidateThrough(EditEnvelope((e, _) =>
        {
            var p = (string)e["payload"]!;
            var bytes = Convert.FromBase64String(p);
            var at = Encoding.UTF8.GetString(bytes).IndexOf("\"hwidCount\":1", StringComparison.Ordinal) + "\"hwidCount\":".Length;
            bytes[at] = (byte)'9'; // one byte flipped, still valid JSON with the right nonce
            e["payload"] = Convert.ToBase64String(bytes);
        }), app);
        Assert.Equal((LicensingErrorCodes.SignatureMismatch, false, 1), (result.Code, result.Error!.IsTransient, attempts));
    }

    [Theory, MemberData(nameof(Schemes))]
    public async Task R7_a_changed_or_stripped_signature_is_a_signature_mismatch(SigningScheme scheme)
    {
        var app = await NewApp(scheme);
        var (flipped, _) = await ValidateThrough(EditEnvelope((e, _) =>
        {
            var signature = ((string)e["signature"]!).ToCharArray();
            signature[10] = signature[10] == 'A' || signature[10] == 'a' ? 'b' : 'a';
            e["signature"] = new string(signature);
        }), app);
        Assert.Equal(LicensingErrorCodes.SignatureMismatch, flipped.Code);

        var (stripped, _) = await ValidateThrough(EditEnvelope((e, _) => e.Remove("signature")), app);
        Assert.Equal(LicensingErrorCodes.MissingSignature, stripped.Code);
    }

    [Fact]
    public async Task R7_an_hmac_signed_response_to_an_ed25519_client_is_rejected_as_a_downgrade()
    {
        var app = await NewApp(SigningScheme.Ed25519);
        var (result, attempts) = await ValidateThrough(EditEnvelope((e, attempt) =>
        {
            // What an attacker who extracted the app secret could forge.
            e["signature"] = HmacSign(app.AppSecret, attempt.Nonce!, (string)e["payload"]!);
            e.Remove("keyId");
        }), app);
        Assert.Equal((LicensingErrorCodes.SignatureMismatch, 1), (result.Code, attempts));
    }

    [Fact]
    public async Task R7_ed25519_accepts_any_trusted_key_and_nothing_else()
    {
        const string otherKey = "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="; // RFC 8032 TEST 2
        var app = await NewApp();
        var (untrusted, _) = await ValidateThrough(null, app, o => o.PublicKeys = [otherKey]);
        Assert.Equal(LicensingErrorCodes.SignatureMismatch, untrusted.Code);

        var (trusted, _) = await ValidateThrough(null, app, o => o.PublicKeys = [$"{otherKey}, {app.PublicKey}"]);
        Assert.True(trusted.Valid, trusted.Code);
    }

    [Fact]
    public async Task R7_hmac_signatures_are_compared_trimmed_and_lowercased()
    {
        var app = await NewApp(SigningScheme.HmacV2);
        var (result, _) = await ValidateThrough(EditEnvelope((e, _) => e["signature"] = " " + ((string)e["signature"]!).ToUpperInvariant() + " "), app);
        Assert.True(result.Valid, result.Code);
    }

    /// <summary>Rewrites the payload of an HMAC app's real answer and signs it again as the server would.</summary>
    private static Tamper Resigned(TestApp app, Action<JsonObject> edit) => EditEnvelope((e, attempt) =>
    {
        var payload = Payload(e);
        edit(payload);
        e["payload"] = Encode(payload);
        e["signature"] = HmacSign(app.AppSecret, attempt.Nonce!, (string)e["payload"]!);
    });

    [Fact]
    public async Task R8_a_signed_payload_without_session_token_is_missing_sessionToken()
    {
        var app = await NewApp(SigningScheme.HmacV1);
        var (result, attempts) = await ValidateThrough(Resigned(app, p => p.Remove("sessionToken")), app);
        Assert.Equal((LicensingErrorCodes.MissingSessionToken, 1), (result.Code, attempts));
    }

    // Strings JsonDocument parses but cannot decode (a lone surrogate escape, a byte that is not UTF-8):
    // each fails the check it is read for, with that check's code, never another exception type.
    public static TheoryData<int, string, string> UndecodableStrings => new()
    {
        { 200, """{"status":"\ud800"}""", "unknown_error" },
        { 200, """{"status":"failed","error":"\udc00"}""", "unknown_error" },
        { 200, """{"status":"failed","error":"expired","details":["\ud800","fine"]}""", "expired" },
        { 200, """{"status":"success","payload":"\ud800","signature":"AAAA"}""", "missing_payload" },
        { 200, """{"status":"success","payload":"eyJub25jZSI6IlxcdWQ4MDAifQ==","signature":"\ud800"}""", "missing_signature" },
        { 200, """{"status":"success","payload":"eyJub25jZSI6Ilx1ZDgwMCJ9","signature":"AAAA"}""", "nonce_mismatch" }, // {"nonce":"\ud800"}
    };

    [Theory, MemberData(nameof(UndecodableStrings))]
    public async Task Undecodable_strings_fail_their_check_with_its_code(int status, string body, string code)
    {
        var (result, attempts) = await ValidateThrough(Fixed((HttpStatusCode)status, body));
        Assert.False(result.Valid);
        Assert.Equal(code, result.Code);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_status_that_is_not_utf8_is_unknown_error()
    {
        var (result, attempts) = await ValidateThrough((_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([.. "{\"status\":\"x"u8, 0xFF, .. "\"}"u8]) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(response);
        });
        Assert.Equal((LicensingErrorCodes.UnknownError, 1), (result.Code, attempts));
    }

    [Fact]
    public async Task R9_a_keyId_that_is_not_a_string_is_invalid_keyId()
    {
        var (result, attempts) = await ValidateThrough(EditEnvelope((e, _) => e["keyId"] = 5));
        Assert.Equal((LicensingErrorCodes.InvalidKeyId, 1), (result.Code, attempts));

        Proxy.Clear(Validate);
        var (undecodable, tries) = await ValidateThrough(async (_, forward) =>
        {
            using var real = await forward();
            var text = await real.Content.ReadAsStringAsync();
            return Respond(HttpStatusCode.OK, text.Replace("\"keyId\":\"", "\"keyId\":\"\\ud800", StringComparison.Ordinal));
        });
        Assert.Equal((LicensingErrorCodes.InvalidKeyId, 1), (undecodable.Code, tries));

        Proxy.Clear(Validate);
        var (absent, _) = await ValidateThrough(EditEnvelope((e, _) => e.Remove("keyId")));
        Assert.True(absent.Valid, absent.Code);
        Assert.Null(absent.KeyId);
    }

    [Fact]
    public async Task R10_expiry_comes_from_token_exp_then_token_expiresIn_then_payload_expiresIn()
    {
        var app = await NewApp(SigningScheme.HmacV1);
        var (tokenExp, _) = await ValidateThrough(Resigned(app, p =>
        {
            p["sessionToken"] = Base64Url("""{"exp":2000000000,"expiresIn":2000000001}""") + ".mac";
            p["expiresIn"] = 2000000002;
        }), app);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(2000000000), tokenExp.ExpiresAt);

        var (tokenExpiresIn, _) = await ValidateThrough(Resigned(app, p =>
        {
            p["sessionToken"] = Base64Url("""{"expiresIn":2000000001}""") + ".mac";
            p["expiresIn"] = 2000000002;
        }), app);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(2000000001), tokenExpiresIn.ExpiresAt);

        var (payloadExpiresIn, _) = await ValidateThrough(Resigned(app, p =>
        {
            p["sessionToken"] = "session.validate.token"; // first segment is not JSON (as in the official vectors)
            p["expiresIn"] = 2000000002;
        }), app);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(2000000002), payloadExpiresIn.ExpiresAt);

        var (missing, attempts) = await ValidateThrough(Resigned(app, p =>
        {
            p["sessionToken"] = "session.validate.token";
            p["expiresIn"] = "2000000002"; // a string is not an integer
        }), app);
        Assert.Equal((LicensingErrorCodes.MissingExpiresIn, 1), (missing.Code, attempts));
    }

    [Fact]
    public async Task R11_an_hmac_v2_token_without_sigKey_is_missing_sigKey()
    {
        var app = await NewApp(SigningScheme.HmacV2);
        var (result, attempts) = await ValidateThrough(Resigned(app, p =>
            p["sessionToken"] = Base64Url("""{"sid":"s","exp":2000000000,"expiresIn":2000000000}""") + ".mac"), app);
        Assert.Equal((LicensingErrorCodes.MissingSigKey, 1), (result.Code, attempts));
    }
}
