using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth.Signing;

public sealed class ResponseSigningTests : IDisposable
{
    private readonly Ed25519Signer _signer = Ed25519Signer.FromSeed(Convert.FromHexString(AppendixA.SigningSeedHex));

    private ResponseSigningKeys Keys => new(AppendixA.AppSecret, _signer);

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void Hmac_v1_reproduces_the_official_vector()
    {
        using var vector = SpecVectors.Load("hmac-v1.json");
        var (appSecret, nonce, payload) = Inputs(vector.RootElement, "appSecret");
        var outputs = vector.RootElement.GetProperty("outputs");

        var key = HmacSigning.DeriveKey(appSecret, nonce);

        Assert.Equal(outputs.GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(key));
        Assert.Equal(outputs.GetProperty("signatureHex").GetString(), HmacSigning.Sign(key, payload));
        var signature = ResponseSigning.For(SigningScheme.HmacV1).Sign(payload, new ResponseSigningKeys(appSecret, _signer), nonce, sessionSigKey: null);
        Assert.Equal(new ResponseSignature(outputs.GetProperty("signatureHex").GetString()!, KeyId: null), signature);
    }

    [Fact]
    public void Hmac_v2_reproduces_the_official_validate_vector()
    {
        using var vector = SpecVectors.Load("hmac-v2.json");
        var validate = vector.RootElement.GetProperty("validate");
        var (appSecret, nonce, payload) = Inputs(validate, "appSecret");
        var outputs = validate.GetProperty("outputs");

        var key = HmacSigning.DeriveKey(appSecret, nonce);

        Assert.Equal(outputs.GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(key));
        Assert.Equal(outputs.GetProperty("signatureHex").GetString(), HmacSigning.Sign(key, payload));
        var signature = ResponseSigning.For(SigningScheme.HmacV2).Sign(payload, new ResponseSigningKeys(appSecret, _signer), nonce, sessionSigKey: null);
        Assert.Equal(new ResponseSignature(outputs.GetProperty("signatureHex").GetString()!, KeyId: null), signature);
    }

    [Fact]
    public void Hmac_v2_reproduces_the_official_heartbeat_vector_from_the_sigKey()
    {
        using var vector = SpecVectors.Load("hmac-v2.json");
        var heartbeat = vector.RootElement.GetProperty("heartbeat");
        var (sigKey, nonce, payload) = Inputs(heartbeat, "sigKey");
        var outputs = heartbeat.GetProperty("outputs");
        var appSecret = vector.RootElement.GetProperty("validate").GetProperty("inputs").GetProperty("appSecret").GetString()!;

        var key = HmacSigning.DeriveKey(sigKey, nonce);

        Assert.Equal(outputs.GetProperty("derivedKeyHex").GetString(), Convert.ToHexStringLower(key));
        Assert.Equal(outputs.GetProperty("signatureHex").GetString(), HmacSigning.Sign(key, payload));
        var signature = ResponseSigning.For(SigningScheme.HmacV2).Sign(payload, new ResponseSigningKeys(appSecret, _signer), nonce, sigKey);
        Assert.Equal(new ResponseSignature(outputs.GetProperty("signatureHex").GetString()!, KeyId: null), signature);
    }

    [Theory]
    [InlineData(AppendixA.ValidateNonce, "d04ca5937843e483ac2ae47496575d5c30f5c7edeb637e29211a389dffdb5b21")]
    [InlineData(AppendixA.HeartbeatNonce, "66613726ba2ff1d42ceff39e5ec0528c36fc7d9c90efb67ba4277c492bb91107")]
    public void Hmac_v1_derives_the_appendix_A3_keys_from_the_app_secret(string nonce, string keyHex)
    {
        Assert.Equal(keyHex, Convert.ToHexStringLower(HmacSigning.DeriveKey(AppendixA.AppSecret, nonce)));
    }

    [Fact]
    public void Hmac_v1_signs_the_appendix_A3_validate_and_heartbeat_with_the_app_secret()
    {
        var scheme = ResponseSigning.For(SigningScheme.HmacV1);

        var validate = scheme.Sign(AppendixA.A1.P, Keys, AppendixA.ValidateNonce, sessionSigKey: null);
        // hmac-v1 ignores the token's sigKey: heartbeats are keyed with the app secret too.
        var heartbeat = scheme.Sign(AppendixA.A2.P, Keys, AppendixA.HeartbeatNonce, sessionSigKey: AppendixA.SigKey);

        Assert.Equal(new ResponseSignature("961b0ad5b7c152fa46ea0c399c153d5fc395f50e5160d54455e0e4eaf132e4a4", null), validate);
        Assert.Equal(new ResponseSignature("63fe691db15f4668471b4bdc6ea7e86dbc34f6b9fa226d1241a18d6a788b4b08", null), heartbeat);
    }

    [Fact]
    public void Hmac_v2_signs_the_appendix_A4_validate_with_the_app_secret()
    {
        var signature = ResponseSigning.For(SigningScheme.HmacV2).Sign(AppendixA.A4.P, Keys, AppendixA.ValidateNonce, sessionSigKey: null);

        Assert.Equal(new ResponseSignature("047d95be8360397cd5bfa54868760e9100d28534fffe4db1de4327e3d8bdfcce", null), signature);
    }

    [Fact]
    public void Hmac_v2_signs_the_appendix_A5_heartbeat_with_the_request_tokens_sigKey()
    {
        Assert.Equal(
            "e3bf8d2be406a6b4aeb97f26a8de63a5cb1ededec3f5c6893e7dff77c556fe79",
            Convert.ToHexStringLower(HmacSigning.DeriveKey(AppendixA.SigKey, AppendixA.HeartbeatNonce)));

        var signature = ResponseSigning.For(SigningScheme.HmacV2).Sign(AppendixA.A5.P, Keys, AppendixA.HeartbeatNonce, AppendixA.SigKey);

        Assert.Equal(new ResponseSignature("0e0283b78936f60ffee6701e895d5365fb0d94d34dd615cd7774eb55ccfec1a6", null), signature);
    }

    [Fact]
    public void Ed25519_signs_the_appendix_A1_and_A2_payloads_with_the_test_1_key_and_its_keyId()
    {
        var scheme = ResponseSigning.For(SigningScheme.Ed25519);

        var validate = scheme.Sign(AppendixA.A1.P, Keys, AppendixA.ValidateNonce, sessionSigKey: null);
        var heartbeat = scheme.Sign(AppendixA.A2.P, Keys, AppendixA.HeartbeatNonce, sessionSigKey: null);

        Assert.Equal(new ResponseSignature("+DjYfSkKBGBFnV/O2yg1DIIDSFNOr9dwj/0ui+hEPlkz0GZuWmSjGcWmGSbqeqZbSNC/r7fsO4/xcC3rAi8XCA==", AppendixA.KeyId), validate);
        Assert.Equal(new ResponseSignature("+EwwLppAYFxrRd/h5sqF+h87aH1QHFUvp75EmF5XIYLTCUhonEWo0E/ZdeZUvY6vmGkONCEPdq7U9teT7Gs8DQ==", AppendixA.KeyId), heartbeat);
    }

    [Fact]
    public void Ed25519_signatures_verify_under_the_published_public_key()
    {
        var signature = ResponseSigning.For(SigningScheme.Ed25519).Sign(AppendixA.A1.P, Keys, AppendixA.ValidateNonce, null);

        Assert.Equal(88, signature.Signature.Length);
        Assert.EndsWith("==", signature.Signature, StringComparison.Ordinal);
        Assert.True(Ed25519Keys.Verify(Convert.FromBase64String(AppendixA.PublicKey), System.Text.Encoding.ASCII.GetBytes(AppendixA.A1.P), Convert.FromBase64String(signature.Signature)));
    }

    [Theory]
    [InlineData(SigningScheme.Ed25519)]
    [InlineData(SigningScheme.HmacV1)]
    [InlineData(SigningScheme.HmacV2)]
    public void Each_scheme_has_one_implementation_that_names_it(SigningScheme scheme)
    {
        Assert.Equal(scheme, ResponseSigning.For(scheme).Scheme);
        Assert.Same(ResponseSigning.For(scheme), ResponseSigning.For(scheme));
    }

    [Fact]
    public void Unknown_schemes_and_non_ascii_payloads_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ResponseSigning.For((SigningScheme)99));
        Assert.Throws<ArgumentException>(() => ResponseSigning.For(SigningScheme.HmacV1).Sign("eyJ\u00e9", Keys, AppendixA.ValidateNonce, null));
        Assert.Throws<ArgumentException>(() => ResponseSigning.For(SigningScheme.Ed25519).Sign("eyJ\u00e9", Keys, AppendixA.ValidateNonce, null));
    }

    [Fact]
    public void Payloads_larger_than_the_stack_scratch_sign_like_small_ones()
    {
        var large = new string('A', 10_000);
        var key = HmacSigning.DeriveKey(new string('s', 3000), AppendixA.ValidateNonce);

        var viaScheme = ResponseSigning.For(SigningScheme.HmacV1).Sign(large, new ResponseSigningKeys(new string('s', 3000), _signer), AppendixA.ValidateNonce, null);
        var ed25519 = ResponseSigning.For(SigningScheme.Ed25519).Sign(large, Keys, AppendixA.ValidateNonce, null);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes(large))), viaScheme.Signature);
        Assert.Equal(Convert.ToBase64String(_signer.Sign(System.Text.Encoding.ASCII.GetBytes(large))), ed25519.Signature);
    }

    private static (string KeyMaterial, string Nonce, string Payload) Inputs(JsonElement vector, string keyMaterialName)
    {
        var inputs = vector.GetProperty("inputs");
        return (inputs.GetProperty(keyMaterialName).GetString()!, inputs.GetProperty("nonce").GetString()!, inputs.GetProperty("payload").GetString()!);
    }
}
