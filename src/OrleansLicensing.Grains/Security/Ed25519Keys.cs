using System.Security.Cryptography;
using NSec.Cryptography;

namespace OrleansLicensing.Security;

/// <summary>
/// An Ed25519 key pair in raw form (RFC 8032): the 32-byte private seed and the 32-byte public key.
/// The seed is a secret: store it only through <see cref="SecretProtector"/>.
/// </summary>
/// <param name="Seed">The 32-byte private key (seed).</param>
/// <param name="PublicKey">The 32-byte public key.</param>
public sealed record Ed25519KeyPair(byte[] Seed, byte[] PublicKey)
{
    /// <summary>Never prints the seed.</summary>
    public override string ToString() =>
        PublicKey is { Length: Ed25519Keys.PublicKeySize } ? $"Ed25519KeyPair {{ KeyId = {Ed25519Keys.KeyIdOf(PublicKey)} }}" : "Ed25519KeyPair { }";
}

/// <summary>
/// Ed25519 keys as the auth protocol uses them (docs/protocol.md §4.2, §4.5): raw 32-byte seeds and
/// public keys, pure Ed25519 (no prehash, no context).
/// </summary>
public static class Ed25519Keys
{
    /// <summary>Size of a private seed in bytes.</summary>
    public const int SeedSize = 32;

    /// <summary>Size of a public key in bytes.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Size of a signature in bytes.</summary>
    public const int SignatureSize = 64;

    /// <summary>Length of a <c>keyId</c> in characters (8 bytes in hex).</summary>
    public const int KeyIdLength = 16;

    internal static SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;

    /// <summary>A new key pair; the seed comes from the operating system's CSPRNG.</summary>
    public static Ed25519KeyPair Generate()
    {
        // Every 32-byte string is a valid Ed25519 seed, so drawing it directly is equivalent to
        // letting the library create the key, and needs no plaintext-export permission.
        var seed = RandomNumberGenerator.GetBytes(SeedSize);
        return new Ed25519KeyPair(seed, PublicKeyFromSeed(seed));
    }

    /// <summary>The public key belonging to a 32-byte seed.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes long.</exception>
    public static byte[] PublicKeyFromSeed(byte[] seed)
    {
        using var key = Import(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>
    /// The <c>keyId</c> of a public key (§4.5): lowercase hex of the first 8 bytes of SHA-256 over
    /// the raw 32-byte key, 16 characters.
    /// </summary>
    /// <exception cref="ArgumentException">The public key is not 32 bytes long.</exception>
    public static string KeyIdOf(byte[] publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException($"An Ed25519 public key is {PublicKeySize} bytes, not {publicKey.Length}.", nameof(publicKey));
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(publicKey, digest);
        return Convert.ToHexStringLower(digest[..8]);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid Ed25519 signature of
    /// <paramref name="message"/> under <paramref name="publicKey"/>. Malformed keys or signatures
    /// of the wrong length give false, not an exception.
    /// </summary>
    public static bool Verify(byte[] publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        if (!PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }
        return Algorithm.Verify(key, message, signature);
    }

    internal static Key Import(byte[] seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedSize} bytes, not {seed.Length}.", nameof(seed));
        }
        return Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey);
    }
}

/// <summary>
/// Signs with one Ed25519 private key that is imported once, so that signing a response does not
/// re-import the key. Safe for concurrent use: NSec passes the key to libsodium's
/// <c>crypto_sign_ed25519_detached</c>, which only reads it, through a reference-counted
/// <see cref="System.Runtime.InteropServices.SafeHandle"/>; signing after <see cref="Dispose"/>
/// throws <see cref="ObjectDisposedException"/> instead of touching freed memory.
/// </summary>
public sealed class Ed25519Signer : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _publicKey;

    private Ed25519Signer(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = Ed25519Keys.KeyIdOf(_publicKey);
        PublicKeyBase64 = Convert.ToBase64String(_publicKey);
    }

    /// <summary>Imports a 32-byte seed. The caller may clear its copy of the seed afterwards.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes long.</exception>
    public static Ed25519Signer FromSeed(byte[] seed) => new(Ed25519Keys.Import(seed));

    /// <summary>The <c>keyId</c> of this key (§4.5).</summary>
    public string KeyId { get; }

    /// <summary>A copy of the raw 32-byte public key.</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>The public key in standard base64 (44 characters), as published to vendors.</summary>
    public string PublicKeyBase64 { get; }

    /// <summary>The 64-byte signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519Keys.Algorithm.Sign(_key, message);

    /// <summary>Writes the signature of <paramref name="message"/> into <paramref name="signature"/> (exactly 64 bytes), without allocating.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature) => Ed25519Keys.Algorithm.Sign(_key, message, signature);

    /// <summary>Releases the key's secure memory.</summary>
    public void Dispose() => _key.Dispose();
}
