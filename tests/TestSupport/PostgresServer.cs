using System.Diagnostics;
using System.Net.Sockets;

namespace OrleansWallet.TestSupport;

/// <summary>
/// A real PostgreSQL cluster of the test's own: initdb into a temporary folder owned by the
/// <c>postgres</c> OS user (PostgreSQL refuses to run as root), a free loopback port, and the
/// data folder as the socket directory so nothing outside it is touched. Stopped with pg_ctl on
/// this cluster only, never by process name.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string OsUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _rootDirectory;
    private readonly string _dataDirectory;
    private bool _running;

    private PostgresServer(int port, string rootDirectory)
    {
        Port = port;
        _rootDirectory = rootDirectory;
        _dataDirectory = Path.Combine(rootDirectory, "data");
    }

    public int Port { get; }

    /// <summary>Connection string for the superuser to the given database (trust auth, no password).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    public static async Task<PostgresServer> StartNewAsync()
    {
        var root = Directory.CreateTempSubdirectory("ow-postgres-").FullName;
        var server = new PostgresServer(FreePort.Next(), root);
        try
        {
            await RunAsync("chown", [OsUser, root]);
            // --no-sync: a test cluster need not survive a machine crash; saves seconds per fixture.
            await RunAsPostgresAsync("initdb",
                ["-D", server._dataDirectory, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the cluster (again) on the same port and data; returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dataDirectory} -c fsync=off " +
                      "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        try
        {
            await RunAsPostgresAsync("pg_ctl",
                ["-D", _dataDirectory, "-o", options, "-l", Path.Combine(_rootDirectory, "server.log"), "-w", "-t", "60", "start"]);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}\nserver log:\n{ServerLog()}", e);
        }
        _running = true;
        await WaitUntilAcceptsAsync();
    }

    /// <summary>Stops the cluster (fast shutdown: open sessions are terminated), as in an outage.</summary>
    public async Task StopAsync()
    {
        // The pid file also covers a start that pg_ctl reported as failed but that left a server up.
        if (!_running && !File.Exists(Path.Combine(_dataDirectory, "postmaster.pid"))) return;
        await RunAsPostgresAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);
        _running = false;
    }

    /// <summary>Creates an empty database, so test classes sharing one server do not see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await RunAsPostgresAsync("psql",
            ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", $"CREATE DATABASE \"{name}\""]);
        return ConnectionString(name);
    }

    /// <summary>
    /// From now on TCP connections need <paramref name="password"/> (scram-sha-256) for the
    /// superuser, as a production server would; the test's own tools keep the local socket.
    /// </summary>
    public async Task RequirePasswordAsync(string password)
    {
        await RunAsPostgresAsync("psql",
            ["-h", _dataDirectory, "-p", Port.ToString(), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", $"ALTER USER postgres PASSWORD '{password}'"]);
        var hba = Path.Combine(_dataDirectory, "pg_hba.conf");
        var lines = (await File.ReadAllLinesAsync(hba))
            .Select(l => l.StartsWith("host", StringComparison.Ordinal) ? l.Replace("trust", "scram-sha-256") : l);
        await File.WriteAllLinesAsync(hba, lines);
        await RunAsPostgresAsync("pg_ctl", ["-D", _dataDirectory, "reload"]);
    }

    private async Task WaitUntilAcceptsAsync()
    {
        // pg_ctl -w already waits; this only guards against the TCP listener lagging the socket.
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"postgres did not listen on {Port}:\n{ServerLog()}");
    }

    private string ServerLog()
    {
        var log = Path.Combine(_rootDirectory, "server.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
    }

    private static Task RunAsPostgresAsync(string binary, IReadOnlyList<string> arguments) =>
        RunAsync("runuser", ["-u", OsUser, "--", ServiceBinaries.Find(binary), .. arguments]);

    // One-shot commands (initdb, pg_ctl, psql) run to completion, so they use Process directly
    // rather than ExternalProcess, which is for long-lived servers.
    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // this command's own child, by pid
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {CommandTimeout}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (InvalidOperationException) { /* already down; the folder is removed below either way */ }
        try { Directory.Delete(_rootDirectory, recursive: true); }
        catch (IOException) { /* a file still held open; the OS cleans /tmp */ }
    }
}
