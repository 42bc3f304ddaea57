using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Security;

/// <summary>
/// Encrypts secrets at rest (app secrets, signing keys, webhook secrets) with AES-256-GCM under the
/// master key. Format: version byte 1 | 12-byte nonce | 16-byte tag | ciphertext. The purpose string
/// is bound as associated data, so a ciphertext cannot be replayed as another kind of secret.
/// </summary>
public sealed class SecretProtector(byte[] masterKey)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Encrypts <paramref name="plaintext"/> for <paramref name="purpose"/>.</summary>
    public byte[] Protect(string purpose, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    /// <summary>Decrypts what <see cref="Protect"/> produced for the same purpose; throws if tampered with.</summary>
    public byte[] Unprotect(string purpose, ReadOnlySpan<byte> protectedData)
    {
        if (protectedData.Length < 1 + NonceSize + TagSize || protectedData[0] != Version)
        {
            throw new CryptographicException("Unknown protected-data format.");
        }
        var plaintext = new byte[protectedData.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Decrypt(protectedData.Slice(1, NonceSize), protectedData[(1 + NonceSize + TagSize)..], protectedData.Slice(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}
