using System.Net;
using System.Net.Sockets;

namespace OrleansLicensing.Server.Hosting.given;

/// <summary>
/// A TCP relay on a loopback port to a real server, which a test can cut: listening stops and every
/// relayed connection is reset, so the server behind it becomes unreachable for that test alone
/// (the PostgreSQL server is shared by the suite and cannot be stopped).
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _cut = new();
    private readonly Task _accepting;

    public TcpRelay(string host, int port)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Stops accepting and resets every relayed connection; new connections are refused.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0); // RST, not a polite FIN
                }
                catch (Exception error) when (error is ObjectDisposedException or SocketException)
                {
                    // Already closed.
                }
                socket.Dispose();
            }
            _sockets.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_cut.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_cut.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await server.ConnectAsync(_target, _cut.Token);
                }
                catch (Exception)
                {
                    client.Dispose();
                    server.Dispose();
                    continue;
                }
                lock (_sockets)
                {
                    if (_cut.IsCancellationRequested)
                    {
                        client.Dispose();
                        server.Dispose();
                        return;
                    }
                    _sockets.Add(client);
                    _sockets.Add(server);
                }
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception) when (_cut.IsCancellationRequested)
        {
            // Cut.
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _cut.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _cut.Token);
            }
        }
        catch (Exception)
        {
            // Either side closed, or the relay was cut.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_cut.IsCancellationRequested) Cut();
        await _accepting;
        _cut.Dispose();
    }
}
