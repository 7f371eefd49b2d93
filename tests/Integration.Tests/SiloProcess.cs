using System.Net.Http;
using System.Reflection;

namespace OrleansWallet.Integration.Tests;

/// <summary>One silo as its own OS process, so tests can kill -9 it like a crash.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    /// <summary>The service id every test silo runs under; Redis keys of the service start with it.</summary>
    public const string ServiceId = "orleans-wallet-tests";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly ExternalProcess _process;

    private SiloProcess(ExternalProcess process, Dictionary<string, string?> environment)
    {
        _process = process;
        Environment = environment;
        GrpcPort = int.Parse(environment["Silo__GrpcPort"]!);
        HttpPort = int.Parse(environment["Silo__HttpPort"]!);
    }

    /// <summary>The settings this silo was started with (ports included), to start a successor on the same address.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";
    public string Output => _process.Output;

    public static Task<SiloProcess> StartAsync(string clusterId, IDictionary<string, string?> serviceSettings,
        IDictionary<string, string?>? extraSettings = null) =>
        StartAsync(SiloEnvironment(clusterId, serviceSettings, extraSettings));

    /// <summary>
    /// Starts a silo process and returns at once, before it is ready, for tests of what a silo does
    /// while it starts (its <see cref="Output"/> can be watched); <see cref="WaitUntilReadyAsync"/> then waits.
    /// </summary>
    public static SiloProcess Launch(string clusterId, IDictionary<string, string?> serviceSettings)
    {
        var environment = SiloEnvironment(clusterId, serviceSettings, null);
        return new SiloProcess(ExternalProcess.Start("dotnet", [SiloAssemblyPath()], environment), environment);
    }

    private static Dictionary<string, string?> SiloEnvironment(string clusterId, IDictionary<string, string?> serviceSettings,
        IDictionary<string, string?>? extraSettings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Silo__ClusterId"] = clusterId,
            ["Silo__ServiceId"] = ServiceId,
            ["Silo__SiloPort"] = FreePort.Next().ToString(),
            ["Silo__GatewayPort"] = FreePort.Next().ToString(),
            ["Silo__GrpcPort"] = FreePort.Next().ToString(),
            ["Silo__HttpPort"] = FreePort.Next().ToString(),
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in serviceSettings) environment[key] = value;
        if (extraSettings is not null)
            foreach (var (key, value) in extraSettings) environment[key] = value;
        return environment;
    }

    /// <summary>
    /// Starts a silo on the same addresses as <paramref name="predecessor"/> (as a restarted
    /// process or pod would be), with <paramref name="overrides"/> applied.
    /// </summary>
    public static Task<SiloProcess> RestartAsync(SiloProcess predecessor, IDictionary<string, string?>? overrides = null)
    {
        var environment = new Dictionary<string, string?>(predecessor.Environment);
        if (overrides is not null)
            foreach (var (key, value) in overrides) environment[key] = value;
        return StartAsync(environment);
    }

    private static async Task<SiloProcess> StartAsync(Dictionary<string, string?> environment)
    {
        var process = ExternalProcess.Start("dotnet", [SiloAssemblyPath()], environment);
        var silo = new SiloProcess(process, environment);
        try
        {
            await silo.WaitUntilReadyAsync();
        }
        catch
        {
            // A silo that never became ready must not outlive the test (its log is in the exception).
            await process.DisposeAsync();
            throw;
        }
        return silo;
    }

    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"silo exited during start:\n{_process.Output}");
            try
            {
                using var response = await Http.GetAsync($"http://127.0.0.1:{HttpPort}/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"silo not ready within {ReadyTimeout}:\n{_process.Output}");
    }

    /// <summary>kill -9: no shutdown, no deactivation, like a power cut.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
        if (!_process.HasExited) throw new TimeoutException("silo did not exit");
    }

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Pid;

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string SiloAssemblyPath()
    {
        var path = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SiloAssembly").Value!;
        if (!File.Exists(path)) throw new FileNotFoundException($"build the solution first: {path} is missing");
        return Path.GetFullPath(path);
    }
}
