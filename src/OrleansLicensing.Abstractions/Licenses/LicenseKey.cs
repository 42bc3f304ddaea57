using System.Buffers;
using System.Security.Cryptography;

namespace OrleansLicensing.Licenses;

/// <summary>
/// License keys (docs/protocol.md §11.1–§11.2): <c>XXXX-XXXX-XXXX-XXXX</c> over a 32-symbol
/// alphabet without <c>I</c>, <c>O</c>, <c>0</c> and <c>1</c>; 80 random bits per key.
/// </summary>
public static class LicenseKey
{
    /// <summary>The 32 symbols a generated key uses, in the order that maps 5-bit values to symbols.</summary>
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Length of a key: four groups of four symbols and three dashes.</summary>
    public const int Length = 19;

    private const int Symbols = 16;
    private const int BitsPerSymbol = 5;
    private const int RandomBytes = Symbols * BitsPerSymbol / 8;

    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

    /// <summary>
    /// A new random key from the operating system's CSPRNG. Each symbol takes 5 fresh random bits,
    /// and 32 = 2⁵, so every symbol is uniform over <see cref="Alphabet"/> with no modulo bias.
    /// Uniqueness across the deployment is the caller's job (generate again on a collision).
    /// </summary>
    public static string Generate()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);

        Span<char> key = stackalloc char[Length];
        int accumulator = 0, bits = 0, next = 0, position = 0;
        for (var symbol = 0; symbol < Symbols; symbol++)
        {
            if (bits < BitsPerSymbol)
            {
                accumulator = (accumulator << 8) | random[next++];
                bits += 8;
            }
            bits -= BitsPerSymbol;
            var value = (accumulator >> bits) & 0b11111;
            accumulator &= (1 << bits) - 1;

            if (symbol is 4 or 8 or 12)
            {
                key[position++] = '-';
            }
            key[position++] = Alphabet[value];
        }
        CryptographicOperations.ZeroMemory(random);
        return new string(key);
    }

    /// <summary>
    /// The canonical form of a submitted key (§11.2): trimmed of leading and trailing Unicode white
    /// space, then ASCII <c>a</c>–<c>z</c> converted to <c>A</c>–<c>Z</c>. Nothing else changes;
    /// the result need not be <see cref="IsWellFormed">well formed</see>.
    /// </summary>
    public static string Canonicalize(string submitted)
    {
        ArgumentNullException.ThrowIfNull(submitted);
        var trimmed = submitted.Trim();
        if (!trimmed.AsSpan().ContainsAnyInRange('a', 'z'))
        {
            return trimmed;
        }
        return string.Create(trimmed.Length, trimmed, static (destination, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                destination[i] = c is >= 'a' and <= 'z' ? (char)(c - ('a' - 'A')) : c;
            }
        });
    }

    /// <summary>
    /// True when <paramref name="canonical"/> has the generated form: four groups of four symbols of
    /// <see cref="Alphabet"/> joined by <c>-</c>. Lookups do not require this (any stored key matches
    /// exactly); it is for validating keys that vendors import.
    /// </summary>
    public static bool IsWellFormed(string? canonical)
    {
        if (canonical is not { Length: Length })
        {
            return false;
        }
        var span = canonical.AsSpan();
        for (var group = 0; group < 4; group++)
        {
            if (group > 0 && span[group * 5 - 1] != '-')
            {
                return false;
            }
            if (span.Slice(group * 5, 4).ContainsAnyExcept(AlphabetValues))
            {
                return false;
            }
        }
        return true;
    }
}
