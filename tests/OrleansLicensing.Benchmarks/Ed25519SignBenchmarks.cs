using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using BouncyCastleSigner = Org.BouncyCastle.Crypto.Signers.Ed25519Signer;
using BouncyCastleAlgorithm = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Algorithm;
using Org.BouncyCastle.Crypto.Parameters;
using ProductionSigner = OrleansLicensing.Security.Ed25519Signer;

namespace OrleansLicensing.Benchmarks;

/// <summary>
/// Signing one typical payload string P (~1,500 ASCII bytes of base64, docs/protocol.md §4.1) with
/// a key imported once, as the server does per response: NSec (libsodium) directly, NSec through
/// the production <see cref="ProductionSigner"/>, and BouncyCastle (managed C#) through its
/// <c>Ed25519Signer</c> and through <see cref="Ed25519PrivateKeyParameters.Sign(BouncyCastleAlgorithm, byte[], byte[], int, int, byte[], int)"/>.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class Ed25519SignBenchmarks
{
    // RFC 8032 TEST 1 (docs/protocol.md §19.2): a public test key.
    private static readonly byte[] Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    private readonly byte[] _signature = new byte[64];
    private byte[] _payload = [];
    private Key _nsecKey = null!;
    private ProductionSigner _productionSigner = null!;
    private BouncyCastleSigner _bouncyCastleSigner = null!;
    private Ed25519PrivateKeyParameters _bouncyCastleKey = null!;

    /// <summary>Length of the payload string in bytes.</summary>
    [Params(1500)]
    public int PayloadLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Base64 of random bytes: the same alphabet and length profile as a real P.
        _payload = Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(PayloadLength * 3 / 4)));
        _nsecKey = Key.Import(SignatureAlgorithm.Ed25519, Seed, KeyBlobFormat.RawPrivateKey);
        _productionSigner = ProductionSigner.FromSeed(Seed);
        _bouncyCastleKey = new Ed25519PrivateKeyParameters(Seed, 0);
        _bouncyCastleSigner = new BouncyCastleSigner();
        _bouncyCastleSigner.Init(forSigning: true, _bouncyCastleKey);

        // Ed25519 is deterministic: all four must produce the same bytes, or the comparison is meaningless.
        var expected = NSec().ToArray();
        Check(expected, ViaProductionSigner, nameof(ViaProductionSigner));
        Check(expected, BouncyCastleEd25519Signer, nameof(BouncyCastleEd25519Signer));
        Check(expected, BouncyCastlePrivateKeySign, nameof(BouncyCastlePrivateKeySign));
        Array.Clear(_signature);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nsecKey.Dispose();
        _productionSigner.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NSec Key + SignatureAlgorithm.Ed25519.Sign")]
    public byte[] NSec()
    {
        SignatureAlgorithm.Ed25519.Sign(_nsecKey, _payload, _signature);
        return _signature;
    }

    [Benchmark(Description = "NSec via production Ed25519Signer")]
    public byte[] ViaProductionSigner()
    {
        _productionSigner.Sign(_payload, _signature);
        return _signature;
    }

    [Benchmark(Description = "BouncyCastle Ed25519Signer")]
    public byte[] BouncyCastleEd25519Signer()
    {
        _bouncyCastleSigner.BlockUpdate(_payload, 0, _payload.Length);
        return _bouncyCastleSigner.GenerateSignature();
    }

    [Benchmark(Description = "BouncyCastle Ed25519PrivateKeyParameters.Sign")]
    public byte[] BouncyCastlePrivateKeySign()
    {
        _bouncyCastleKey.Sign(BouncyCastleAlgorithm.Ed25519, null, _payload, 0, _payload.Length, _signature, 0);
        return _signature;
    }

    private void Check(byte[] expected, Func<byte[]> sign, string name)
    {
        Array.Clear(_signature);
        if (!expected.AsSpan().SequenceEqual(sign()))
        {
            throw new InvalidOperationException($"{name} produced a different signature than NSec.");
        }
    }
}
