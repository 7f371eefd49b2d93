using Npgsql;
using StackExchange.Redis;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Lets passwords and TLS settings of Redis and PostgreSQL come from settings of their own (a
/// Kubernetes Secret as environment variables, or a mounted file) instead of inside the
/// connection strings a ConfigMap holds. They are merged into the connection-string settings
/// once at start, before anything reads them; the merged strings are never logged.
/// <list type="table">
/// <item><term>Redis:Password / PasswordFile, Redis:User, Redis:Ssl, Redis:SslHost</term><description>into Redis:ConnectionString (grain state, membership, reminders)</description></item>
/// <item><term>Ledger:Cache:Password / PasswordFile, User, Ssl, SslHost</term><description>into Ledger:Cache:RedisConfiguration</description></item>
/// <item><term>Ledger:Postgres:Password / PasswordFile, Username, SslMode, RootCertificate</term><description>into Ledger:Postgres:ConnectionString</description></item>
/// </list>
/// </summary>
public static class ConnectionSecrets
{
    public static void Apply(ConfigurationManager configuration)
    {
        var merged = new Dictionary<string, string?>();
        MergeRedis(configuration, "Redis", "ConnectionString", merged);
        MergeRedis(configuration, "Ledger:Cache", "RedisConfiguration", merged);
        MergePostgres(configuration, "Ledger:Postgres", merged);
        if (merged.Count > 0) configuration.AddInMemoryCollection(merged);
    }

    private static void MergeRedis(IConfiguration configuration, string section, string key, Dictionary<string, string?> merged)
    {
        var settings = configuration.GetSection(section);
        var password = Secret(settings, "Password");
        var user = settings["User"];
        var ssl = settings["Ssl"];
        var sslHost = settings["SslHost"];
        if (password is null && string.IsNullOrEmpty(user) && string.IsNullOrEmpty(ssl) && string.IsNullOrEmpty(sslHost)) return;
        var options = ConfigurationOptions.Parse(settings[key] ?? "");
        if (password is not null) options.Password = password;
        if (!string.IsNullOrEmpty(user)) options.User = user;
        if (!string.IsNullOrEmpty(ssl)) options.Ssl = bool.TryParse(ssl, out var on) ? on
            : throw new InvalidOperationException($"{section}:Ssl must be true or false");
        if (!string.IsNullOrEmpty(sslHost)) options.SslHost = sslHost;
        merged[$"{section}:{key}"] = options.ToString(includePassword: true);
    }

    private static void MergePostgres(IConfiguration configuration, string section, Dictionary<string, string?> merged)
    {
        var settings = configuration.GetSection(section);
        var password = Secret(settings, "Password");
        var username = settings["Username"];
        var sslMode = settings["SslMode"];
        var rootCertificate = settings["RootCertificate"];
        if (password is null && string.IsNullOrEmpty(username) && string.IsNullOrEmpty(sslMode) && string.IsNullOrEmpty(rootCertificate)) return;
        var builder = new NpgsqlConnectionStringBuilder(settings["ConnectionString"] ?? "");
        if (password is not null) builder.Password = password;
        if (!string.IsNullOrEmpty(username)) builder.Username = username;
        if (!string.IsNullOrEmpty(sslMode)) builder.SslMode = Enum.TryParse<SslMode>(sslMode, ignoreCase: true, out var mode) ? mode
            : throw new InvalidOperationException($"{section}:SslMode must be one of {string.Join(", ", Enum.GetNames<SslMode>())}");
        if (!string.IsNullOrEmpty(rootCertificate)) builder.RootCertificate = rootCertificate;
        merged[$"{section}:ConnectionString"] = builder.ConnectionString;
    }

    /// <summary>The secret from <c>{name}</c>, or read from the file <c>{name}File</c> (trailing newline dropped).</summary>
    private static string? Secret(IConfiguration settings, string name)
    {
        var value = settings[name];
        if (!string.IsNullOrEmpty(value)) return value;
        var file = settings[name + "File"];
        if (string.IsNullOrEmpty(file)) return null;
        if (!File.Exists(file)) throw new InvalidOperationException($"{name}File: file '{file}' does not exist");
        return File.ReadAllText(file).TrimEnd('\r', '\n');
    }
}
