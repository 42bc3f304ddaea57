namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Reads an <c>/auth/*</c> response body with a size bound. A real answer is a few kilobytes (variables are at
/// most 4 KB each, developer-api.md); a client shipped inside vendors' apps must not let a broken proxy, a
/// captive portal or a hostile endpoint make it buffer an unbounded stream. Past the bound nothing more is read.
/// </summary>
internal static class ResponseBody
{
    /// <summary>The largest body accepted: 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// The body of <paramref name="content"/>, or null when it is larger than <see cref="MaxBytes"/>: refused
    /// from <c>Content-Length</c> alone when that announces more, else as soon as byte <see cref="MaxBytes"/> + 1
    /// arrives. The caller then disposes the response: the HTTP handler closes the connection, after discarding
    /// at most its drain limit (<see cref="SocketsHttpHandler.MaxResponseDrainSize"/>, 1 MiB by default) when it
    /// tries to keep the connection for reuse. The rest of the body is never read.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxBytes) return null;

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // One byte more than allowed tells "exactly at the bound" from "beyond it".
            var buffer = new byte[Math.Min(MaxBytes + 1, (int?)content.Headers.ContentLength + 1 ?? 16 * 1024)];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxBytes) return null;
                    Array.Resize(ref buffer, Math.Min(MaxBytes + 1, buffer.Length * 2));
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
            if (length > MaxBytes) return null;
            return length == buffer.Length ? buffer : buffer[..length];
        }
    }
}
