using System.Net.Sockets;

namespace OrleansWallet.TestSupport;

/// <summary>
/// A real redis-server of the test's own: free port, temporary data folder, append-only file on
/// so a restart keeps what was acknowledged (as production is configured).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _dataDirectory;
    private readonly string _appendFsync;
    private ExternalProcess? _process;

    private readonly string? _password;

    private RedisServer(int port, string dataDirectory, string? password = null, string appendFsync = "everysec")
    {
        Port = port;
        _dataDirectory = dataDirectory;
        _password = password;
        _appendFsync = appendFsync;
    }

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; with <paramref name="password"/> it refuses clients that do not AUTH with it.</summary>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var directory = Directory.CreateTempSubdirectory("ow-redis-").FullName;
        var server = new RedisServer(FreePort.Next(), directory, password);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>
    /// A server that fsyncs the append-only file before it answers each write
    /// (<c>appendfsync always</c>): a kill -9 then loses nothing Redis acknowledged, so a test
    /// that crashes Redis can demand that every acknowledged operation survives.
    /// </summary>
    public static async Task<RedisServer> StartDurableAsync()
    {
        var directory = Directory.CreateTempSubdirectory("ow-redis-").FullName;
        var server = new RedisServer(FreePort.Next(), directory, appendFsync: "always");
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>kill -9 of redis-server: no shutdown save, like a crash. <see cref="StartAgainAsync"/> brings it back.</summary>
    public async Task KillAsync()
    {
        if (_process is not null) await _process.KillAsync();
    }

    /// <summary>Starts the server again on the same port and data folder after <see cref="KillAsync"/>.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("redis-server is still running");
        if (_process is not null) await _process.DisposeAsync();
        await StartProcessAsync();
    }

    /// <summary>Stops and starts the same server on the same port and data (a Redis restart).</summary>
    public async Task RestartAsync()
    {
        if (_process is not null) await _process.StopAsync(TimeSpan.FromSeconds(10));
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        _process = ExternalProcess.Start(ServiceBinaries.Find("redis-server"),
        [
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _dataDirectory,
            "--appendonly", "yes", "--appendfsync", _appendFsync, "--save", "",
            "--protected-mode", "no", "--daemonize", "no",
            .. (_password is null ? Array.Empty<string>() : ["--requirepass", _password]),
        ]);
        await WaitUntilAnswersAsync();
    }

    private async Task WaitUntilAnswersAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"redis-server exited:\n{_process.Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                var stream = client.GetStream();
                // Unauthenticated, a password-protected server answers -NOAUTH: it is up all the same.
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG")) return;
                if (read > 0 && _password is not null && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("-NOAUTH")) return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not answer on {Port}:\n{_process!.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { /* a file still held open; the OS cleans /tmp */ }
    }
}
