using System.Net;
using System.Net.Sockets;

namespace OrleansLicensing.Testing;

/// <summary>TCP ports that are free now and not yet handed to another test of this process.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (HandedOut.Add(port)) return port;
            }
        }
    }
}
