namespace OrleansWallet.TestSupport;

/// <summary>Finds the Debian-installed service binaries (installed by scripts/install-services.sh).</summary>
public static class ServiceBinaries
{
    private static readonly string[] SearchDirectories =
    [
        // Debian's versioned PostgreSQL folder first: /usr/bin only has wrappers for its tools.
        "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin",
        "/usr/bin", "/usr/sbin", "/usr/local/bin",
    ];

    public static string Find(string name)
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in SearchDirectories.Concat(fromPath))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(
            $"{name} is not installed; run scripts/install-services.sh (apt-get install redis-server postgresql kcat)");
    }
}
