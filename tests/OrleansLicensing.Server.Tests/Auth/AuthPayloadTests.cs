using System.Text;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Auth.Signing;

namespace OrleansLicensing.Server.Auth;

public sealed class AuthPayloadTests : IDisposable
{
    private readonly SessionTokenCodec _tokens = new([AppendixA.SessionSecret]);
    private readonly Ed25519Signer _signer = Ed25519Signer.FromSeed(Convert.FromHexString(AppendixA.SigningSeedHex));

    public void Dispose() => _signer.Dispose();

    public static TheoryData<string, string, string> AppendixPayloads => new()
    {
        { "A.1", AppendixA.A1.PayloadJson, AppendixA.A1.P },
        { "A.2", AppendixA.A2.PayloadJson, AppendixA.A2.P },
        { "A.4", AppendixA.A4.PayloadJson, AppendixA.A4.P },
        { "A.5", AppendixA.A5.PayloadJson, AppendixA.A5.P },
    };

    [Theory]
    [MemberData(nameof(AppendixPayloads))]
    public void Reproduces_the_appendix_payload_json_and_payload_string(string example, string json, string p)
    {
        var payload = Example(example).Payload;

        Assert.Equal(json, Encoding.UTF8.GetString(payload.ToUtf8Json()));
        Assert.Equal(p, payload.ToPayloadString());
    }

    [Fact]
    public void Reproduces_the_A1_ed25519_validate_response_body()
    {
        Assert.Equal(AppendixA.A1.ResponseBody, Respond(SigningScheme.Ed25519, "A.1"));
    }

    [Fact]
    public void Reproduces_the_A2_ed25519_heartbeat_response_body()
    {
        Assert.Equal(AppendixA.A2.ResponseBody, Respond(SigningScheme.Ed25519, "A.2"));
    }

    [Fact]
    public void Reproduces_the_A3_hmac_v1_validate_and_heartbeat_response_bodies()
    {
        Assert.Equal(AppendixA.A3.ValidateResponseBody, Respond(SigningScheme.HmacV1, "A.1"));
        Assert.Equal(AppendixA.A3.HeartbeatResponseBody, Respond(SigningScheme.HmacV1, "A.2"));
    }

    [Fact]
    public void Reproduces_the_A4_hmac_v2_validate_response_body()
    {
        Assert.Equal(AppendixA.A4.ResponseBody, Respond(SigningScheme.HmacV2, "A.4"));
    }

    [Fact]
    public void Reproduces_the_A5_hmac_v2_heartbeat_response_body()
    {
        Assert.Equal(AppendixA.A5.ResponseBody, Respond(SigningScheme.HmacV2, "A.5"));
    }

    [Fact]
    public void The_payload_string_is_padded_standard_base64_of_the_json()
    {
        var payload = Example("A.1").Payload;

        var p = payload.ToPayloadString();

        Assert.Equal(payload.ToUtf8Json(), Convert.FromBase64String(p));
        Assert.Equal(0, p.Length % 4);
        Assert.DoesNotContain('-', p);
        Assert.DoesNotContain('_', p);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void LicenseLabel_is_omitted_when_null_or_empty(string? label)
    {
        var json = Json(Example("A.1").Payload with { LicenseLabel = label });

        Assert.DoesNotContain("licenseLabel", json, StringComparison.Ordinal);
        Assert.Contains("\"hwidCount\":1,\"unlimitedHwidSlots\":false,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_text_is_written_as_raw_utf8()
    {
        const string label = "Müller GmbH – 東京 😀 \u00a0\u2028\u007f";
        var payload = Example("A.1").Payload with
        {
            LicenseLabel = label,
            LicenseVariables = [new("größe", VariableKind.String, "groß 🚀")],
        };

        var bytes = payload.ToUtf8Json();

        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"\"licenseLabel\":\"{label}\"")) >= 0);
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("\"licenseVariables\":{\"größe\":\"groß 🚀\"}}")) >= 0);
        Assert.DoesNotContain("\\u", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(bytes);
        Assert.Equal(label, parsed.RootElement.GetProperty("licenseLabel").GetString());
    }

    [Fact]
    public void Quotes_backslashes_and_control_characters_are_escaped_as_json_stringify_does()
    {
        var payload = Example("A.1").Payload with { LicenseLabel = "a\"b\\c\n\r\t\b\f\u0001\u001f</script>&'" };

        var json = Json(payload);

        Assert.Contains("\"licenseLabel\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f</script>&'\"", json, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(json);
        Assert.Equal(payload.LicenseLabel, parsed.RootElement.GetProperty("licenseLabel").GetString());
    }

    [Fact]
    public void A_lone_surrogate_is_written_as_its_escape()
    {
        var json = Json(Example("A.1").Payload with { LicenseLabel = "x\ud800y\udc00" });

        Assert.Contains("\"licenseLabel\":\"x\\ud800y\\udc00\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_are_written_in_ordinal_name_order_with_their_json_types()
    {
        var payload = Example("A.1").Payload with
        {
            AppVariables = [],
            LicenseVariables =
            [
                new("tier", VariableKind.String, "pro"),
                new("seats", VariableKind.Number, "3"),
                new("Zeta", VariableKind.Boolean, "true"),
                new("ratio", VariableKind.Number, "2.50"),
                new("alpha", VariableKind.Boolean, "false"),
                new("big", VariableKind.Number, "-1.5e+300"),
                new("nonce", VariableKind.String, "not the payload nonce"),
                new("whole", VariableKind.Number, "1.0E2"), // stored before numbers were made canonical: §2.3 still holds
            ],
        };

        var json = Json(payload);

        Assert.EndsWith(
            ",\"appVariables\":{},\"licenseVariables\":{\"Zeta\":true,\"alpha\":false,\"big\":-1.5e+300,\"nonce\":\"not the payload nonce\",\"ratio\":2.50,\"seats\":3,\"tier\":\"pro\",\"whole\":100}}",
            json,
            StringComparison.Ordinal);
        // A variable named like a payload key comes after the real one (§16 C11).
        Assert.True(json.IndexOf("\"nonce\":\"" + AppendixA.ValidateNonce, StringComparison.Ordinal) < json.IndexOf("\"nonce\":\"not", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_variable_names_and_malformed_values_are_refused()
    {
        var payload = Example("A.1").Payload;

        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("a", VariableKind.String, "1"), new("a", VariableKind.String, "2")] }).ToPayloadString());
        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("b", VariableKind.String, "1"), new("a", VariableKind.Number, "1"), new("b", VariableKind.Number, "2")] }).ToPayloadString());
        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("n", VariableKind.Number, "{\"x\":1}")] }).ToPayloadString());
        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("n", VariableKind.Number, "01")] }).ToPayloadString());
        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("n", VariableKind.Number, "NaN")] }).ToPayloadString());
        Assert.Throws<ArgumentException>(() => (payload with { AppVariables = [new("f", VariableKind.Boolean, "True")] }).ToPayloadString());
    }

    [Fact]
    public void Timestamps_are_utc_with_exactly_three_fraction_digits()
    {
        var payload = Example("A.1").Payload with
        {
            Timestamp = new DateTimeOffset(2030, 6, 30, 23, 59, 59, TimeSpan.FromHours(2)).AddTicks(1_239_999),
            LicenseExpiresAt = new DateTimeOffset(2031, 1, 1, 1, 0, 0, TimeSpan.FromHours(1)),
        };

        var json = Json(payload);

        Assert.Contains("\"timestamp\":\"2030-06-30T21:59:59.123Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"licenseExpiresAt\":\"2031-01-01T00:00:00.000Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"sessionExpiresAt\":\"2030-01-02T00:00:00.000Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlimited_licenses_are_written_as_the_caller_gives_them()
    {
        var json = Json(Example("A.1").Payload with { MaxHwidSlots = 0, HwidCount = 250, UnlimitedHwidSlots = true });

        Assert.Contains("\"maxHwidSlots\":0,\"hwidCount\":250,\"licenseLabel\":\"Example customer\",\"unlimitedHwidSlots\":true,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_envelope_omits_keyId_for_hmac_signatures_and_never_has_an_error_key()
    {
        var hmac = Encoding.UTF8.GetString(SuccessEnvelope.Write("eyJ9", new ResponseSignature(new string('a', 64), null)));
        var ed25519 = Encoding.UTF8.GetString(SuccessEnvelope.Write("eyJ9", new ResponseSignature("c2ln", "21fe31dfa154a261")));

        Assert.Equal("{\"status\":\"success\",\"payload\":\"eyJ9\",\"signature\":\"" + new string('a', 64) + "\"}", hmac);
        Assert.Equal("{\"status\":\"success\",\"payload\":\"eyJ9\",\"signature\":\"c2ln\",\"keyId\":\"21fe31dfa154a261\"}", ed25519);
    }

    /// <summary>
    /// The A.0 inputs of one example, put through the API as the endpoints will: a heartbeat
    /// verifies the request's token and copies sid, ttl and sigKey from it.
    /// </summary>
    private (AuthPayload Payload, string Nonce, string? RequestSigKey) Example(string example)
    {
        var (now, at, nonce, requestId, requestToken, sigKey) = example switch
        {
            "A.1" => (AppendixA.ValidateUnix, AppendixA.ValidateAt, AppendixA.ValidateNonce, AppendixA.Ed25519ValidateRequestId, null, null),
            "A.2" => (AppendixA.HeartbeatUnix, AppendixA.HeartbeatAt, AppendixA.HeartbeatNonce, AppendixA.Ed25519HeartbeatRequestId, AppendixA.A1.SessionToken, null),
            "A.4" => (AppendixA.ValidateUnix, AppendixA.ValidateAt, AppendixA.ValidateNonce, AppendixA.HmacV2ValidateRequestId, null, AppendixA.SigKey),
            "A.5" => (AppendixA.HeartbeatUnix, AppendixA.HeartbeatAt, AppendixA.HeartbeatNonce, AppendixA.HmacV2HeartbeatRequestId, AppendixA.A4.SessionToken, (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(example)),
        };

        SessionTokenBody body;
        string? requestSigKey = null;
        if (requestToken is null)
        {
            body = AppendixA.TokenBody(now, sigKey);
        }
        else
        {
            Assert.True(_tokens.TryVerify(requestToken, AppendixA.AppId, now, out var previous));
            requestSigKey = previous.SigKey;
            body = previous with { Iat = now, Exp = now + previous.Ttl };
        }
        var token = _tokens.Issue(body);
        var payload = AppendixA.Payload(token, body.ExpiresIn, nonce, at, requestId);
        return (payload, nonce, requestSigKey);
    }

    /// <summary>
    /// The body the endpoints write (P encoded and signed as bytes in the body's own buffer), checked
    /// against the one built from the payload string P.
    /// </summary>
    private string Respond(SigningScheme scheme, string example)
    {
        var (payload, nonce, requestSigKey) = Example(example);
        var keys = new ResponseSigningKeys(AppendixA.AppSecret, _signer);
        using var body = new CompactJsonWriter(16); // small, so the body's buffer grows while P is in it
        SuccessEnvelope.Write(body, payload.ToUtf8Json(), ResponseSigning.For(scheme), keys, nonce, requestSigKey);

        var p = payload.ToPayloadString();
        Assert.Equal(SuccessEnvelope.Write(p, ResponseSigning.For(scheme).Sign(p, keys, nonce, requestSigKey)), body.Written.ToArray());
        return Encoding.UTF8.GetString(body.Written);
    }

    private static string Json(AuthPayload payload) => Encoding.UTF8.GetString(payload.ToUtf8Json());
}
