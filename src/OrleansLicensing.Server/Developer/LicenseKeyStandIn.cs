using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansLicensing.Server.Developer;

// STAND-IN until src/OrleansLicensing.Abstractions/Licenses/LicenseKey.cs lands; then deleted.
internal static partial class LicenseKey
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string Generate()
    {
        var symbols = RandomNumberGenerator.GetString(Alphabet, 16);
        return string.Join('-', symbols.Chunk(4).Select(c => new string(c)));
    }

    public static string Canonicalize(string key)
    {
        var trimmed = key.Trim();
        return string.Create(trimmed.Length, trimmed, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = source[i] is >= 'a' and <= 'z' ? (char)(source[i] - 32) : source[i];
        });
    }

    public static bool IsWellFormed(string? key) => key is not null && Shape().IsMatch(key);

    [GeneratedRegex(@"^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}\z")]
    private static partial Regex Shape();
}
