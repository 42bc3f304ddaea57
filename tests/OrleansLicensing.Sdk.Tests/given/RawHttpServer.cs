using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansLicensing.Sdk.given;

/// <summary>
/// An HTTP/1.1 server on a free loopback port that reads each request and then hands the socket's stream to the
/// test, which writes the raw response bytes itself. Unlike Kestrel (which drops writes to a closed connection
/// quietly), a write here fails as soon as the client has closed the connection, so a test can measure how much
/// of a response the client took before it hung up.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="respond">Writes the whole response to the connection's stream; the connection is closed afterwards.</param>
    public RawHttpServer(Func<Stream, Task> respond)
    {
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient connection;
                try
                {
                    connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (connection)
                    {
                        var stream = connection.GetStream();
                        await ReadRequest(stream, _stop.Token);
                        await respond(stream);
                    }
                });
            }
        });
    }

    public Uri BaseAddress { get; }

    /// <summary>Reads the request head and as many body bytes as its <c>Content-Length</c> announces.</summary>
    private static async Task ReadRequest(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) return;
            head.Append((char)one[0]);
        }
        var length = head.ToString().Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        await stream.ReadExactlyAsync(new byte[length], cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
