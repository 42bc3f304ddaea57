using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Security;

/// <summary>Constant-time comparison of secrets of any length.</summary>
public static class SecretComparer
{
    /// <summary>
    /// True when both strings are equal. Hashes both first so that neither the content nor the
    /// length of the expected secret leaks through timing.
    /// </summary>
    public static bool AreEqual(string? provided, string expected)
    {
        if (provided is null) return false;
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(provided), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
