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
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith(kind + ":", StringComparison.Ordinal) && isValidKey(text[(kind.Length + 1)..]))
            {
                return text[(kind.Length + 1)..];
            }
        }
        catch (FormatException)
        {
        }
        throw ApiException.BadRequest("cursor: not a cursor returned by this list");
    }
}
