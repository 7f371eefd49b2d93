using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansWallet.Cli.Load;

/// <summary>CPU seconds used so far and resident memory of one silo, from wherever it could be read.</summary>
public sealed record ProcessSample(string Source, double CpuSeconds, long RssBytes);

/// <summary>
/// Where the silos' CPU and memory come from: /proc/&lt;pid&gt;/stat and /status of local silo
/// processes (found by the pid given, or by the process listening on each endpoint's port), or
/// the Prometheus <c>process_cpu_seconds_total</c> / <c>process_resident_memory_bytes</c> of a
/// <c>--metrics-url</c>. Only reads: it never signals a process.
/// </summary>
public sealed class ProcessSampler : IDisposable
{
    /// <summary>
    /// /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 for user space whatever
    /// the kernel's own tick rate (it is part of the ABI).
    /// </summary>
    private const double ProcTicksPerSecond = 100.0;

    private readonly IReadOnlyList<int> _pids;
    private readonly IReadOnlyList<Uri> _metricsUrls;
    private readonly HttpClient? _http;

    public ProcessSampler(IReadOnlyList<int> pids, IReadOnlyList<Uri> metricsUrls)
    {
        _pids = pids;
        _metricsUrls = metricsUrls;
        if (metricsUrls.Count > 0) _http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    }

    public IReadOnlyList<int> Pids => _pids;
    public bool HasSources => _pids.Count > 0 || _metricsUrls.Count > 0;

    public string Describe()
    {
        var parts = new List<string>();
        if (_pids.Count > 0) parts.Add("pids " + string.Join(",", _pids));
        foreach (var url in _metricsUrls) parts.Add($"metrics {StripUserInfo(url).GetLeftPart(UriPartial.Path)}");
        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }

    /// <summary>One sample per source; a source that cannot be read (process gone, scrape failed) is left out.</summary>
    public async Task<IReadOnlyList<ProcessSample>> SampleAsync(CancellationToken cancellationToken = default)
    {
        var samples = new List<ProcessSample>();
        foreach (var pid in _pids)
            if (TryReadProc(pid, out var sample)) samples.Add(sample);
        foreach (var url in _metricsUrls)
        {
            var sample = await TryScrapeAsync(url, cancellationToken);
            if (sample is not null) samples.Add(sample);
        }
        return samples;
    }

    public static bool TryReadProc(int pid, out ProcessSample sample)
    {
        sample = null!;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            if (!TryParseStatCpuTicks(stat, out var ticks)) return false;
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKbLine(line) * 1024;
                    break;
                }
            sample = new ProcessSample($"pid {pid}", ticks / ProcTicksPerSecond, rss);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>utime + stime (fields 14 and 15) of a /proc/&lt;pid&gt;/stat line; the command name may hold spaces and parentheses.</summary>
    public static bool TryParseStatCpuTicks(string stat, out long ticks)
    {
        ticks = 0;
        var close = stat.LastIndexOf(')');
        if (close < 0) return false;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state): utime is field 14 → index 11, stime field 15 → index 12.
        if (fields.Length < 13) return false;
        if (!long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)) return false;
        if (!long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime)) return false;
        ticks = utime + stime;
        return true;
    }

    private static long ParseKbLine(string line)
    {
        var digits = new StringBuilder();
        foreach (var c in line)
            if (char.IsAsciiDigit(c)) digits.Append(c);
        return long.TryParse(digits.ToString(), CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }

    private async Task<ProcessSample?> TryScrapeAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, StripUserInfo(url));
            var credentials = Credentials(url);
            if (credentials is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            using var response = await _http!.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) return null;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            // The source names the URL without its credentials: it goes into results and reports.
            return ParsePrometheus(text, StripUserInfo(url).GetLeftPart(UriPartial.Path));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads the standard process metrics from a Prometheus text exposition (null if CPU is missing).</summary>
    public static ProcessSample? ParsePrometheus(string text, string source)
    {
        double? cpu = null;
        long rss = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#')) continue;
            if (TryMetric(line, "process_cpu_seconds_total", out var value)) cpu = value;
            else if (TryMetric(line, "process_resident_memory_bytes", out value)) rss = (long)value;
        }
        return cpu is null ? null : new ProcessSample(source, cpu.Value, rss);
    }

    private static bool TryMetric(string line, string name, out double value)
    {
        value = 0;
        if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length) return false;
        var rest = line[name.Length..];
        if (rest[0] == '{') rest = rest[(rest.IndexOf('}') + 1)..];
        else if (rest[0] != ' ') return false;   // another metric whose name starts the same
        var parts = rest.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static string? Credentials(Uri url)
    {
        if (!string.IsNullOrEmpty(url.UserInfo)) return Uri.UnescapeDataString(url.UserInfo);
        var user = Environment.GetEnvironmentVariable("ORLEANS_WALLET_METRICS_USER");
        var password = Environment.GetEnvironmentVariable("ORLEANS_WALLET_METRICS_PASSWORD");
        return string.IsNullOrEmpty(user) ? null : $"{user}:{password}";
    }

    private static Uri StripUserInfo(Uri url) =>
        string.IsNullOrEmpty(url.UserInfo) ? url : new UriBuilder(url) { UserName = "", Password = "" }.Uri;

    /// <summary>
    /// The pids of the local processes listening on the ports of <paramref name="endpoints"/>
    /// (loopback endpoints only), found through /proc/net/tcp{,6} and each process's socket fds.
    /// </summary>
    public static IReadOnlyList<int> DiscoverListeningPids(IEnumerable<Uri> endpoints)
    {
        var ports = new HashSet<int>();
        foreach (var endpoint in endpoints)
            if (endpoint.IsLoopback) ports.Add(endpoint.Port);
        if (ports.Count == 0 || !Directory.Exists("/proc")) return [];

        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
                if (TryParseListeningSocket(line, out var port, out var inode) && ports.Contains(port)) inodes.Add($"socket:[{inode}]");
        }
        if (inodes.Count == 0) return [];

        var pids = new SortedSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && inodes.Contains(target))
                    {
                        pids.Add(pid);
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A process that ended meanwhile, or one we may not look into.
            }
        }
        return [.. pids];
    }

    /// <summary>A /proc/net/tcp row in LISTEN state (0A): its local port and socket inode.</summary>
    public static bool TryParseListeningSocket(string line, out int port, out string inode)
    {
        port = 0;
        inode = "";
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || fields[3] != "0A") return false;
        var colon = fields[1].LastIndexOf(':');
        if (colon < 0 || !int.TryParse(fields[1][(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out port)) return false;
        inode = fields[9];
        return true;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose() => _http?.Dispose();
}
