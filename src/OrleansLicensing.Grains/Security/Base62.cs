using System.Security.Cryptography;

namespace OrleansLicensing.Security;

/// <summary>The base62 alphabet of generated secrets (API keys, operator token, webhook secrets): digits and ASCII letters, safe in URLs, headers and shells.</summary>
public static class Base62
{
    /// <summary>The 62 characters, in ASCII order.</summary>
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary><paramref name="length"/> characters drawn uniformly from <see cref="Alphabet"/> by the OS CSPRNG.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
