using System.Diagnostics;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// Debian's chromium in headless mode, one process per page, each with its own profile folder
/// and no network beyond the page's own (installed by scripts/install-services.sh).
/// </summary>
internal sealed class HeadlessChromium(string artifactDirectory)
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Virtual time given to the page's scripts to fetch and render before the DOM is taken.</summary>
    private const int RenderBudgetMs = 8_000;

    /// <summary>The page's DOM after its scripts ran, as text.</summary>
    public async Task<string> RenderAsync(string url) =>
        await RunAsync(["--dump-dom", url]);

    /// <summary>Saves a screenshot of the rendered page; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string url, string fileName)
    {
        var path = Path.Combine(artifactDirectory, fileName);
        File.Delete(path);
        await RunAsync([$"--screenshot={path}", url]);
        if (!File.Exists(path)) throw new InvalidOperationException($"chromium wrote no screenshot to {path}");
        return path;
    }

    private static async Task<string> RunAsync(IReadOnlyList<string> arguments)
    {
        var profile = Directory.CreateTempSubdirectory("ow-chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo(ServiceBinaries.Find("chromium"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-dev-shm-usage", "--hide-scrollbars", $"--user-data-dir={profile}",
                         "--window-size=1440,1000", $"--virtual-time-budget={RenderBudgetMs}",
                     }.Concat(arguments))
                info.ArgumentList.Add(argument);
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start chromium");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(ProcessTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true); // our own child, by pid
                throw new TimeoutException($"chromium did not finish within {ProcessTimeout}");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { /* chromium may still be flushing; /tmp is cleaned by the OS */ }
        }
    }
}
