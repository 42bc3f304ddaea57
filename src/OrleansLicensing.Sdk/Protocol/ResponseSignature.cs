using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>Signature checks of §4 as a client performs them (R7 of §17.4, and Local heartbeats).</summary>
internal static class ResponseSignature
{
    /// <summary>Ed25519: <paramref name="signature"/> is standard base64 of 64 bytes and verifies over ASCII(P) under any trusted key.</summary>
    public static bool VerifyEd25519(IReadOnlyList<Ed25519PublicKeyParameters> trusted, string payload, string signature)
    {
        byte[] sig;
        try
        {
            sig = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return VerifyEd25519(trusted, payload, sig);
    }

    /// <summary>Ed25519: the 64-byte <paramref name="signature"/> verifies over ASCII(P) under any trusted key.</summary>
    public static bool VerifyEd25519(IReadOnlyList<Ed25519PublicKeyParameters> trusted, string payload, byte[] signature)
    {
        var sig = signature;
        if (sig.Length != 64) return false;
        var message = Encoding.ASCII.GetBytes(payload);
        foreach (var key in trusted)
        {
            var verifier = new Ed25519Signer();
            verifier.Init(false, key);
            verifier.BlockUpdate(message, 0, message.Length);
            if (verifier.VerifySignature(sig)) return true;
        }
        return false;
    }

    /// <summary>K = SHA-256(UTF-8(material ‖ nonce)) (§4.3, §4.4); material is the app secret or the session's sigKey.</summary>
    public static byte[] DeriveHmacKey(string material, string nonce) => SHA256.HashData(Encoding.UTF8.GetBytes(material + nonce));

    /// <summary>Lowercase hex HMAC-SHA256(K, ASCII(P)).</summary>
    public static string HmacHex(byte[] key, string payload) => Convert.ToHexString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload))).ToLowerInvariant();

    /// <summary>Compares the expected HMAC with the received one (trimmed, lowercased) in constant time.</summary>
    public static bool VerifyHmac(byte[] key, string payload, string signature)
    {
        var expected = Encoding.ASCII.GetBytes(HmacHex(key, payload));
        var received = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }
}
