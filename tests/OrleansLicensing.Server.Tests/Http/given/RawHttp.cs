using System.Net.Sockets;
using System.Text;

namespace OrleansLicensing.Server.Http.given;

/// <summary>An HTTP/1.1 answer read off a raw socket: status, headers (names lower-cased) and body text.</summary>
public sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// Sends bytes no HTTP client would (a broken chunk, a header past the server's limits) over a plain TCP
/// connection and reads the one answer, until the server closes the connection or the answer is complete.
/// </summary>
public static class RawHttp
{
    public static async Task<RawAnswer> SendAsync(Uri server, byte[] request, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (a body over its limit).
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException)
            {
                break; // reset after the answer
            }
            if (read == 0) break;
            received.Write(buffer, 0, read);
            if (Parse(received.ToArray()) is { } complete) return complete;
        }
        return Parse(received.ToArray(), final: true) ?? throw new InvalidOperationException($"no HTTP answer: {Encoding.Latin1.GetString(received.ToArray())}");
    }

    /// <summary>The answer once its head and (Content-Length or chunked) body are all there.</summary>
    private static RawAnswer? Parse(byte[] bytes, bool final = false)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return null;
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var rest = text[(end + 4)..];
        if (headers.TryGetValue("content-length", out var length))
        {
            var count = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            return rest.Length >= count ? new RawAnswer(status, headers, Utf8(rest[..count])) : null;
        }
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new StringBuilder();
            var at = 0;
            while (true)
            {
                var lineEnd = rest.IndexOf("\r\n", at, StringComparison.Ordinal);
                if (lineEnd < 0) return null;
                var size = Convert.ToInt32(rest[at..lineEnd].Split(';')[0], 16);
                if (size == 0) return new RawAnswer(status, headers, Utf8(body.ToString()));
                if (rest.Length < lineEnd + 2 + size + 2) return null;
                body.Append(rest, lineEnd + 2, size);
                at = lineEnd + 2 + size + 2;
            }
        }
        return final ? new RawAnswer(status, headers, Utf8(rest)) : null;
    }

    private static string Utf8(string latin1) => Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(latin1));
}
