using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace OrleansLicensing.Sdk.given;

/// <summary>
/// Writes <c>.authforge</c> files (docs/protocol.md §18.1) around a payload text of the test's choosing, signed
/// with the RFC 8032 TEST 1 key (§19.2) — the key the official offline vectors are signed with — so a test can
/// vary one byte of a vector's payload and still hand the verifier a correctly signed file.
/// </summary>
public static class OfflineFileSigner
{
    /// <summary>RFC 8032 §7.1 TEST 1 seed (public test data, §19.2).</summary>
    private static readonly byte[] Test1Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    /// <summary>The public key of TEST 1 (standard base64).</summary>
    public const string PublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /// <summary>The Ed25519 signature (standard base64) over ASCII(<paramref name="p"/>).</summary>
    public static string Sign(string p)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(Test1Seed, 0));
        var bytes = Encoding.ASCII.GetBytes(p);
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return Convert.ToBase64String(signer.GenerateSignature());
    }

    /// <summary>A complete file whose payload string P is standard base64 of <paramref name="payloadJson"/> (UTF-8, bytes as given).</summary>
    public static string File(string payloadJson)
    {
        var p = Convert.ToBase64String(Encoding.UTF8.GetBytes(payloadJson));
        var text = new StringBuilder()
            .Append("-----BEGIN AUTHFORGE LICENSE-----\n")
            .Append("Version: 1\nApp-Id: test-app\nLicense: TEST-KEY0-0000-0000\nKey-Id: kid-test-0001\nExpires-At: never\n\n");
        Wrap(text, p);
        text.Append("-----END AUTHFORGE LICENSE-----\n-----BEGIN AUTHFORGE SIGNATURE-----\n");
        Wrap(text, Sign(p));
        return text.Append("-----END AUTHFORGE SIGNATURE-----\n").ToString();
    }

    private static void Wrap(StringBuilder text, string base64)
    {
        for (var i = 0; i < base64.Length; i += 64) text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
    }
}
