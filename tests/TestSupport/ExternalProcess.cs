using System.Diagnostics;
using System.Text;

namespace OrleansWallet.TestSupport;

/// <summary>
/// A child process whose output is kept for diagnostics and which is stopped by its own pid,
/// never by name, so parallel test runs and the developer's own services are left alone.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    // Enough of a server's log to explain a failure and to check what it reported, without unbounded memory.
    private const int OutputCharsMax = 4 * 1024 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments,
        IDictionary<string, string?>? environment = null, string? workingDirectory = null, bool holdStandardInput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            // Some tools (kcat as a producer) live as long as their stdin is open: we hold it.
            RedirectStandardInput = holdStandardInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new ExternalProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"could not start {fileName}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > OutputCharsMax) _output.Remove(0, _output.Length - OutputCharsMax);
        }
    }

    /// <summary>Writes a line to the process's standard input (started with <c>holdStandardInput</c>).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kill -9: the process gets no chance to clean up, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { await KillAsync(); }
    }

    /// <summary>SIGTERM, then kill if it has not gone within the grace period.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        try
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await term.WaitForExitAsync();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1) on this machine: fall through to the hard kill.
        }
        using var timeout = new CancellationTokenSource(grace);
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { await KillAsync(); }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
