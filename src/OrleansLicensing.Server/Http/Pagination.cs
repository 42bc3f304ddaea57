using System.Text;

namespace OrleansLicensing.Server.Http;

/// <summary>Cursor pagination of docs/developer-api.md §2: <c>limit</c> 1..200 (default 50) and an opaque keyset cursor.</summary>
public static class Pagination
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static int Limit(string? limit)
    {
        if (string.IsNullOrEmpty(limit)) return DefaultLimit;
        if (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value is < 1 or > MaxLimit)
        {
            throw ApiException.BadRequest($"limit: must be an integer from 1 to {MaxLimit}");
        }
        return value;
    }

    /// <summary>Encodes the last key of a page as an opaque cursor.</summary>
    public static string Encode(string kind, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}:{lastKey}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key inside a cursor of the given kind, or a 400 if it is not one of ours.</summary>
    public static string? Decode(string kind, string? cursor, Func<string, bool> isValidKey)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        return KeyOf(kind, cursor) is { } key && isValidKey(key) ? key : throw NotACursor();
    }

    /// <summary>
    /// The key inside a cursor of the given kind as <paramref name="parse"/> reads it (<c>null</c> when the text
    /// is not a key), or a 400 if it is not one of ours. The key is parsed once, here.
    /// </summary>
    public static T? Decode<T>(string kind, string? cursor, Func<string, T?> parse) where T : struct
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        return KeyOf(kind, cursor) is { } key && parse(key) is { } value ? value : throw NotACursor();
    }

    /// <summary>The text after <c>{kind}:</c> in a cursor, or <c>null</c> when it is not a cursor of that kind.</summary>
    private static string? KeyOf(string kind, string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return text.StartsWith(kind + ":", StringComparison.Ordinal) ? text[(kind.Length + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ApiException NotACursor() => ApiException.BadRequest("cursor: not a cursor returned by this list");
}
