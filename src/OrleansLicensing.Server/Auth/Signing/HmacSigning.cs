using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Server.Auth.Signing;

/// <summary>
/// The HMAC signature of the <c>hmac-v1</c> and <c>hmac-v2</c> schemes (docs/protocol.md §4.3,
/// §4.4): <c>K = SHA-256(UTF-8(keyMaterial ‖ nonce))</c>, signature = lowercase hex of
/// <c>HMAC-SHA256(K, ASCII(P))</c>. The key material is the app secret, or for <c>hmac-v2</c>
/// heartbeats the request token's <c>sigKey</c>.
/// </summary>
public static class HmacSigning
{
    /// <summary>Size of a derived key in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Length of a signature in characters (64 lowercase hex).</summary>
    public const int SignatureLength = 64;

    private const int StackLimit = 1024;

    /// <summary>The derived key <c>SHA-256(UTF-8(keyMaterial ‖ nonce))</c>.</summary>
    public static byte[] DeriveKey(string keyMaterial, string nonce)
    {
        var key = new byte[KeySize];
        DeriveKey(keyMaterial, nonce, key);
        return key;
    }

    /// <summary>Writes the derived key into <paramref name="destination"/> (32 bytes) without allocating.</summary>
    public static void DeriveKey(string keyMaterial, string nonce, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(keyMaterial);
        ArgumentNullException.ThrowIfNull(nonce);
        if (destination.Length != KeySize)
        {
            throw new ArgumentException($"A derived key is {KeySize} bytes.", nameof(destination));
        }

        // UTF-8 of a concatenation is the concatenation of the UTF-8 of the parts (a surrogate pair
        // split between them cannot occur in a well-formed secret or nonce).
        var length = Encoding.UTF8.GetByteCount(keyMaterial) + Encoding.UTF8.GetByteCount(nonce);
        byte[]? rented = null;
        var input = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(keyMaterial, input);
            written += Encoding.UTF8.GetBytes(nonce, input[written..]);
            SHA256.HashData(input[..written], destination);
        }
        finally
        {
            // The input holds the app secret.
            CryptographicOperations.ZeroMemory(input[..length]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Lowercase hex of <c>HMAC-SHA256(derivedKey, ASCII(payload))</c>.</summary>
    public static string Sign(byte[] derivedKey, string payload) => Sign(derivedKey.AsSpan(), payload);

    /// <summary>Lowercase hex of <c>HMAC-SHA256(derivedKey, ASCII(payload))</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is not ASCII (a payload string P is base64).</exception>
    public static string Sign(ReadOnlySpan<byte> derivedKey, string payload)
    {
        using var ascii = new AsciiPayload(payload, stackalloc byte[AsciiPayload.StackSize]);
        return SignAscii(derivedKey, ascii.Bytes);
    }

    /// <summary>Lowercase hex of <c>HMAC-SHA256(derivedKey, asciiPayload)</c>, P given as its ASCII bytes.</summary>
    public static string SignAscii(ReadOnlySpan<byte> derivedKey, ReadOnlySpan<byte> asciiPayload)
    {
        if (derivedKey.Length != KeySize)
        {
            throw new ArgumentException($"A derived key is {KeySize} bytes.", nameof(derivedKey));
        }
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(derivedKey, asciiPayload, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Derives the key from <paramref name="keyMaterial"/> and <paramref name="nonce"/> and signs <paramref name="payload"/>.</summary>
    public static string Sign(string keyMaterial, string nonce, string payload)
    {
        using var ascii = new AsciiPayload(payload, stackalloc byte[AsciiPayload.StackSize]);
        return SignAscii(keyMaterial, nonce, ascii.Bytes);
    }

    /// <summary>Derives the key from <paramref name="keyMaterial"/> and <paramref name="nonce"/> and signs P given as its ASCII bytes.</summary>
    public static string SignAscii(string keyMaterial, string nonce, ReadOnlySpan<byte> asciiPayload)
    {
        Span<byte> key = stackalloc byte[KeySize];
        DeriveKey(keyMaterial, nonce, key);
        try
        {
            return SignAscii(key, asciiPayload);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

/// <summary>
/// The ASCII bytes of a payload string P, the exact input of every signature (§4.1): on the
/// caller's stack scratch when it fits, otherwise in a pooled buffer. Non-ASCII input is an
/// error, never replaced.
/// </summary>
internal readonly ref struct AsciiPayload : IDisposable
{
    /// <summary>Scratch size that holds a typical payload string (1.5–3 KB).</summary>
    public const int StackSize = 4096;

    private readonly byte[]? _rented;

    public AsciiPayload(string payload, Span<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var target = payload.Length <= scratch.Length ? scratch : (_rented = ArrayPool<byte>.Shared.Rent(payload.Length));
        if (System.Text.Ascii.FromUtf16(payload, target, out var written) != OperationStatus.Done)
        {
            Dispose();
            throw new ArgumentException("A payload string is standard base64 and therefore ASCII.", nameof(payload));
        }
        Bytes = target[..written];
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
