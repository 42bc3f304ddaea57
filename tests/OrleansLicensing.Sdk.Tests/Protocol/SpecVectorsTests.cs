using System.Text.Json;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>The official vectors (docs/protocol.md §19.1) and the worked examples of Appendix A, checked by the SDK's own code.</summary>
public sealed class SpecVectorsTests
{
    private static ClientSettings Settings(SigningScheme scheme, string secret = "unused", string? publicKey = null) => ClientSettings.From(new LicensingClientOptions
    {
        AppId = "app",
        AppSecret = secret,
        SigningScheme = scheme,
        PublicKeys = publicKey is null ? [] : [publicKey],
        ApiBaseUrl = new Uri("http://localhost"),
    });

    private static readonly ResponseMeta Meta = new(200, null, null);

    private static JsonElement Envelope(string payload, string signature) =>
        JsonSerializer.SerializeToElement(new { status = "success", payload, signature });

    private static string NonceOf(string p) => ResponseVerifier.DecodePayload(p)!.Value.GetProperty("nonce").GetString()!;

    [Fact]
    public void Ed25519_cases_verify_exactly_as_the_vectors_say()
    {
        using var vectors = SpecVectors.Load("ed25519.json");
        var publicKey = vectors.RootElement.GetProperty("publicKey").GetString()!;
        var settings = Settings(SigningScheme.Ed25519, publicKey: publicKey);
        var cases = vectors.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(4, cases.Count);

        foreach (var c in cases)
        {
            var id = c.GetProperty("id").GetString();
            var p = c.GetProperty("payload").GetString()!;
            var signature = c.GetProperty("signature").GetString()!;
            var shouldVerify = c.GetProperty("shouldVerify").GetBoolean();

            Assert.True(shouldVerify == ResponseSignature.VerifyEd25519(settings.TrustedKeys, p, signature), id);
            if (shouldVerify)
            {
                // Through the whole pipeline: the token's first segment is not JSON, so the payload's expiresIn counts.
                var state = ResponseVerifier.Verify(Envelope(p, signature), NonceOf(p), settings, "unused", null, Meta);
                Assert.Equal(id == "validate_success" ? 1900000000 : 1900000300, state.ExpiresAt.ToUnixTimeSeconds());
            }
            else
            {
                var nonce = id == "tampered_payload" ? "nonce-validate-001" : NonceOf(p);
                var error = Assert.Throws<LicensingException>(() => ResponseVerifier.Verify(Envelope(p, signature), nonce, settings, "unused", null, Meta));
                Assert.Equal(id == "tampered_payload" ? LicensingErrorCodes.InvalidPayload : LicensingErrorCodes.SignatureMismatch, error.Code);
            }
        }
    }

    [Fact]
    public void Hmac_v1_vector_is_accepted_and_rejected_after_any_change()
    {
        using var vectors = SpecVectors.Load("hmac-v1.json");
        var inputs = vectors.RootElement.GetProperty("inputs");
        var outputs = vectors.RootElement.GetProperty("outputs");
        var (secret, nonce, p) = (inputs.GetProperty("appSecret").GetString()!, inputs.GetProperty("nonce").GetString()!, inputs.GetProperty("payload").GetString()!);
        var signature = outputs.GetProperty("signatureHex").GetString()!;

        Assert.Equal(outputs.GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(ResponseSignature.DeriveHmacKey(secret, nonce)));
        var settings = Settings(SigningScheme.HmacV1, secret);
        var state = ResponseVerifier.Verify(Envelope(p, signature), nonce, settings, secret, null, Meta);
        Assert.Equal(1740433200, state.ExpiresAt.ToUnixTimeSeconds());

        Assert.False(ResponseSignature.VerifyHmac(ResponseSignature.DeriveHmacKey(secret, nonce), p[..^2] + "fQ", signature));
        Assert.False(ResponseSignature.VerifyHmac(ResponseSignature.DeriveHmacKey(secret, nonce[..^1] + "1"), p, signature));
        Assert.False(ResponseSignature.VerifyHmac(ResponseSignature.DeriveHmacKey(secret + "x", nonce), p, signature));
        Assert.Equal(LicensingErrorCodes.SignatureMismatch,
            Assert.Throws<LicensingException>(() => ResponseVerifier.Verify(Envelope(p, signature), nonce, Settings(SigningScheme.HmacV1, "other"), "other", null, Meta)).Code);
    }

    [Fact]
    public void Hmac_v2_validate_gives_the_sigKey_that_verifies_the_heartbeat()
    {
        using var vectors = SpecVectors.Load("hmac-v2.json");
        var validate = vectors.RootElement.GetProperty("validate");
        var heartbeat = vectors.RootElement.GetProperty("heartbeat");
        var secret = validate.GetProperty("inputs").GetProperty("appSecret").GetString()!;
        var settings = Settings(SigningScheme.HmacV2, secret);

        var vIn = validate.GetProperty("inputs");
        var session = ResponseVerifier.Verify(Envelope(vIn.GetProperty("payload").GetString()!, validate.GetProperty("outputs").GetProperty("signatureHex").GetString()!),
            vIn.GetProperty("nonce").GetString()!, settings, secret, null, Meta);
        Assert.Equal(heartbeat.GetProperty("inputs").GetProperty("sigKey").GetString(), session.SigKey);
        Assert.Equal(validate.GetProperty("outputs").GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(session.HmacKey!));

        var hIn = heartbeat.GetProperty("inputs");
        var refreshed = ResponseVerifier.Verify(Envelope(hIn.GetProperty("payload").GetString()!, heartbeat.GetProperty("outputs").GetProperty("signatureHex").GetString()!),
            hIn.GetProperty("nonce").GetString()!, settings, session.SigKey!, session, Meta);
        Assert.Equal(heartbeat.GetProperty("outputs").GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(refreshed.HmacKey!));
    }

    public static TheoryData<SigningScheme, string, string, string, long> AppendixAResponses => new()
    {
        { SigningScheme.Ed25519, AppendixA.Ed25519Validate, AppendixA.ValidateNonce, AppendixA.AppSecret, AppendixA.ValidateExpiresIn },
        { SigningScheme.Ed25519, AppendixA.Ed25519Heartbeat, AppendixA.HeartbeatNonce, AppendixA.AppSecret, AppendixA.HeartbeatExpiresIn },
        { SigningScheme.HmacV1, AppendixA.HmacV1Validate, AppendixA.ValidateNonce, AppendixA.AppSecret, AppendixA.ValidateExpiresIn },
        { SigningScheme.HmacV1, AppendixA.HmacV1Heartbeat, AppendixA.HeartbeatNonce, AppendixA.AppSecret, AppendixA.HeartbeatExpiresIn },
        { SigningScheme.HmacV2, AppendixA.HmacV2Validate, AppendixA.ValidateNonce, AppendixA.AppSecret, AppendixA.ValidateExpiresIn },
        { SigningScheme.HmacV2, AppendixA.HmacV2Heartbeat, AppendixA.HeartbeatNonce, AppendixA.SigKey, AppendixA.HeartbeatExpiresIn },
    };

    [Theory, MemberData(nameof(AppendixAResponses))]
    public void The_worked_examples_of_Appendix_A_are_accepted(SigningScheme scheme, string body, string nonce, string hmacMaterial, long expiresIn)
    {
        var settings = Settings(scheme, AppendixA.AppSecret, scheme == SigningScheme.Ed25519 ? AppendixA.PublicKey : null);
        var state = ResponseVerifier.Verify(JsonDocument.Parse(body).RootElement, nonce, settings, hmacMaterial, null, Meta);

        Assert.Equal(expiresIn, state.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(scheme == SigningScheme.Ed25519 ? AppendixA.KeyId : null, state.KeyId);
        Assert.Equal(scheme == SigningScheme.HmacV2 ? AppendixA.SigKey : null, state.SigKey);
        Assert.Equal(("Example customer", 2, 1), (state.LicenseLabel, state.MaxHwidSlots, state.HwidCount));
        Assert.Equal("stable", state.AppVariables["channel"].GetString());
        Assert.Equal(3, state.LicenseVariables["seats"].GetInt32());
    }

    [Theory, MemberData(nameof(AppendixAResponses))]
    public void Local_heartbeats_re_verify_the_stored_response_and_notice_tampering(SigningScheme scheme, string body, string nonce, string hmacMaterial, long expiresIn)
    {
        var settings = Settings(scheme, AppendixA.AppSecret, scheme == SigningScheme.Ed25519 ? AppendixA.PublicKey : null);
        var state = ResponseVerifier.Verify(JsonDocument.Parse(body).RootElement, nonce, settings, hmacMaterial, null, Meta);
        Assert.Equal(expiresIn, state.ExpiresAt.ToUnixTimeSeconds());

        Assert.True(ResponseVerifier.StoredSignatureVerifies(state, settings));
        var p = state.Payload.ToCharArray();
        p[40] = p[40] == 'A' ? 'B' : 'A';
        Assert.False(ResponseVerifier.StoredSignatureVerifies(state with { Payload = new string(p) }, settings));
        Assert.False(ResponseVerifier.StoredSignatureVerifies(state with { Signature = state.Signature[..^4] + (state.Signature.EndsWith("AA==", StringComparison.Ordinal) ? "AQ==" : "AA==") }, settings));
    }
}
