using System.Net;
using System.Net.Sockets;

namespace OrleansWallet.TestSupport;

public static class FreePort
{
    // Below Linux's ephemeral range (ip_local_port_range, 32768-60999 by default). A port the OS
    // picks for bind(0) comes from that range, the same one outgoing connections take their local
    // ports from: between the pick and the server's own bind, a connection made by another test
    // (the test projects run in parallel) took it once ("Address already in use" from Postgres).
    private const int First = 20_000;
    private const int EndExclusive = 32_768;

    private static readonly HashSet<int> Given = [];

    /// <summary>A loopback TCP port that was free a moment ago and that this process has not handed out before.</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(First, EndExclusive);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free loopback port found in {First}-{EndExclusive - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
