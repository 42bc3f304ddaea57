using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Server.Security;

/// <summary>Developer API keys: <c>af_live_</c> + 40 base62 characters (~238 bits); stored only as SHA-256.</summary>
public static class ApiKeys
{
    public const string Prefix = "af_live_";
    private static readonly System.Buffers.SearchValues<char> Base62Values = System.Buffers.SearchValues.Create(OrleansLicensing.Security.Base62.Alphabet);

    /// <summary>Every scope of docs/developer-api.md §4.</summary>
    public static readonly IReadOnlyList<string> AllScopes = ["*"];

    /// <summary>A new random key.</summary>
    public static string Generate() => Prefix + OrleansLicensing.Security.Base62.Random(40);

    /// <summary>Whether <paramref name="apiKey"/> has the shape of a key (so garbage never reaches a grain).</summary>
    public static bool IsWellFormed(string? apiKey) =>
        apiKey is { Length: 48 } && apiKey.StartsWith(Prefix, StringComparison.Ordinal) && apiKey.AsSpan(Prefix.Length).IndexOfAnyExcept(Base62Values) < 0;

    /// <summary>Lowercase hex SHA-256 of the key. A key has enough entropy that a plain hash is safe to store.</summary>
    public static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>The part shown in listings to recognise a key (prefix + first 4 characters).</summary>
    public static string DisplayPrefix(string apiKey) => apiKey[..(Prefix.Length + 4)];
}
