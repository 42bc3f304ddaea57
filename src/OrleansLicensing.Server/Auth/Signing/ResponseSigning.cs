using OrleansLicensing.Apps;
using OrleansLicensing.Security;

namespace OrleansLicensing.Server.Auth.Signing;

/// <summary>The signature of one success envelope (docs/protocol.md §3.1).</summary>
/// <param name="Signature">
/// <c>ed25519</c>: standard base64 of the 64-byte signature (88 characters);
/// <c>hmac-v1</c>/<c>hmac-v2</c>: 64 lowercase hex characters.
/// </param>
/// <param name="KeyId">The signing key's <c>keyId</c> for <c>ed25519</c>; null for HMAC schemes (the envelope then omits <c>keyId</c>).</param>
public sealed record ResponseSignature(string Signature, string? KeyId);

/// <summary>The app's signing material. Only the part the app's scheme needs is used.</summary>
/// <param name="AppSecret">The app's current secret (HMAC schemes, §4.3).</param>
/// <param name="Ed25519">The app's current Ed25519 key, imported once and reused (§4.2).</param>
public sealed record ResponseSigningKeys(string AppSecret, Ed25519Signer Ed25519)
{
    /// <summary>Never prints the app secret.</summary>
    public override string ToString() => $"ResponseSigningKeys {{ KeyId = {Ed25519?.KeyId} }}";
}

/// <summary>How one signing scheme signs the payload string P of a success response (§4).</summary>
public interface IResponseSigningScheme
{
    /// <summary>The scheme this implementation signs with.</summary>
    SigningScheme Scheme { get; }

    /// <summary>
    /// Signs the payload string <paramref name="payload"/> (P itself, not the JSON; §4.1).
    /// </summary>
    /// <param name="payload">P: the standard base64 of the payload JSON, exactly as sent.</param>
    /// <param name="keys">The app's current keys.</param>
    /// <param name="nonce">The nonce of the request being answered (HMAC schemes mix it into the key).</param>
    /// <param name="sessionSigKey">
    /// Null for validate responses. For heartbeat responses of <c>hmac-v2</c> apps: the <c>sigKey</c>
    /// of the token sent in the <em>request</em> (§4.4). Ignored by the other schemes.
    /// </param>
    ResponseSignature Sign(string payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey);

    /// <summary>The same, with P given as its ASCII bytes (as the envelope carries it).</summary>
    ResponseSignature SignAscii(ReadOnlySpan<byte> payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey);
}

/// <summary>Picks the <see cref="IResponseSigningScheme"/> of an app's <see cref="SigningScheme"/>.</summary>
public static class ResponseSigning
{
    private static readonly Ed25519ResponseSigning Ed25519 = new();
    private static readonly HmacResponseSigning HmacV1 = new(SigningScheme.HmacV1);
    private static readonly HmacResponseSigning HmacV2 = new(SigningScheme.HmacV2);

    /// <summary>The (stateless, shared) implementation of <paramref name="scheme"/>.</summary>
    public static IResponseSigningScheme For(SigningScheme scheme) => scheme switch
    {
        SigningScheme.Ed25519 => Ed25519,
        SigningScheme.HmacV1 => HmacV1,
        SigningScheme.HmacV2 => HmacV2,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signing scheme."),
    };

    /// <summary><c>ed25519</c> (§4.2): standard base64 of Ed25519 over ASCII(P), with the key's <c>keyId</c>.</summary>
    private sealed class Ed25519ResponseSigning : IResponseSigningScheme
    {
        public SigningScheme Scheme => SigningScheme.Ed25519;

        public ResponseSignature Sign(string payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
        {
            using var ascii = new AsciiPayload(payload, stackalloc byte[AsciiPayload.StackSize]);
            return SignAscii(ascii.Bytes, keys, nonce, sessionSigKey);
        }

        public ResponseSignature SignAscii(ReadOnlySpan<byte> payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
        {
            ArgumentNullException.ThrowIfNull(keys);
            var signer = keys.Ed25519 ?? throw new ArgumentException("An ed25519 app needs its signing key.", nameof(keys));
            Span<byte> signature = stackalloc byte[Ed25519Keys.SignatureSize];
            signer.Sign(payload, signature);
            return new ResponseSignature(Convert.ToBase64String(signature), signer.KeyId);
        }
    }

    /// <summary>
    /// <c>hmac-v1</c> (§4.3): key from <c>appSecret ‖ nonce</c> for every response.
    /// <c>hmac-v2</c> (§4.4): the same for validate; heartbeats key from <c>sigKey ‖ nonce</c>.
    /// </summary>
    private sealed class HmacResponseSigning(SigningScheme scheme) : IResponseSigningScheme
    {
        public SigningScheme Scheme => scheme;

        public ResponseSignature Sign(string payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
        {
            using var ascii = new AsciiPayload(payload, stackalloc byte[AsciiPayload.StackSize]);
            return SignAscii(ascii.Bytes, keys, nonce, sessionSigKey);
        }

        public ResponseSignature SignAscii(ReadOnlySpan<byte> payload, ResponseSigningKeys keys, string nonce, string? sessionSigKey)
        {
            ArgumentNullException.ThrowIfNull(keys);
            var keyMaterial = scheme == SigningScheme.HmacV2 && sessionSigKey is not null ? sessionSigKey : keys.AppSecret;
            return new ResponseSignature(HmacSigning.SignAscii(keyMaterial, nonce, payload), KeyId: null);
        }
    }
}
