using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// The command-line tool with credentials, as a person runs it: a token from
/// <c>token issue</c> (signed with the cluster's key) runs the demo end to end; without one the
/// tool is refused and says how to give one; <c>apikey create</c> prints a key and the hash the
/// silos check it against.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class CliCredentialTests(SecurityFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"ow-signing-{Guid.NewGuid():N}.key");

    [Fact]
    public async Task Token_issue_then_demo_with_the_token_passes()
    {
        await File.WriteAllTextAsync(_keyFile, fixture.Cluster.Credentials.SigningKeyBase64 + "\n");
        var issued = await CliAsync(["token", "issue", "--role", "operator,admin", "--expires", "10m", "--signing-key-file", _keyFile]);
        Assert.Equal(0, issued.ExitCode);
        var token = issued.Stdout.Trim();
        Assert.Equal(3, token.Split('.').Length);

        var demo = await CliAsync(["--endpoint", fixture.Cluster.Silos[0].GrpcAddress, "demo"], new() { ["ORLEANS_WALLET_TOKEN"] = token });
        output.WriteLine(demo.Stdout + demo.Stderr);
        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("demo OK", demo.Stdout);
    }

    [Fact]
    public async Task Without_a_credential_the_tool_is_refused_and_says_how_to_give_one()
    {
        var refused = await CliAsync(["--endpoint", fixture.Cluster.Silos[0].GrpcAddress, "deposit", "--user", "u", "--asset", "ETH",
            "--amount", "1", "--tx-id", "0xcli"], new() { ["ORLEANS_WALLET_TOKEN"] = "", ["ORLEANS_WALLET_API_KEY"] = "" });
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Unauthenticated", refused.Stderr);
        Assert.Contains("ORLEANS_WALLET_TOKEN", refused.Stderr);
    }

    [Fact]
    public async Task A_user_token_from_the_tool_reads_its_own_balances_only()
    {
        await File.WriteAllTextAsync(_keyFile, fixture.Cluster.Credentials.SigningKeyBase64);
        var user = Ids.User("cli-user");
        await fixture.Admin.Wallets.CreditDepositAsync(user, "ETH", 42, "0xcli:" + user);
        var token = (await CliAsync(["token", "issue", "--role", "user", "--user", user, "--signing-key-file", _keyFile])).Stdout.Trim();

        var own = await CliAsync(["--endpoint", fixture.Cluster.Silos[0].GrpcAddress, "--token", token, "balances", "--user", user]);
        Assert.Equal(0, own.ExitCode);
        Assert.Contains("42", own.Stdout);
        var other = await CliAsync(["--endpoint", fixture.Cluster.Silos[0].GrpcAddress, "--token", token, "balances", "--user", "someone-else"]);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("permission_denied", other.Stderr);
    }

    [Fact]
    public async Task Apikey_create_prints_a_key_whose_hash_is_the_printed_setting_and_a_key_authenticates_the_tool()
    {
        var created = await CliAsync(["apikey", "create", "--id", "deposit-indexer", "--role", "operator"]);
        Assert.Equal(0, created.ExitCode);
        var lines = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var key = lines.Single(l => l.StartsWith("deposit-indexer.", StringComparison.Ordinal));
        var hash = lines.Single(l => l.StartsWith("Auth__ApiKeys__0__SecretHash=", StringComparison.Ordinal)).Split('=', 2)[1];
        Assert.Contains("Auth__ApiKeys__0__Roles__0=operator", lines);
        var salt = Convert.FromBase64String(hash.Split(':')[1]);
        Assert.Equal(hash, TestCredentials.ApiKeyHash(salt, key["deposit-indexer.".Length..]));

        var assets = await CliAsync(["--endpoint", fixture.Cluster.Silos[0].GrpcAddress, "--api-key", fixture.Cluster.Credentials.ServiceApiKey, "assets"]);
        Assert.Equal(0, assets.ExitCode);
        Assert.Contains("ETH", assets.Stdout);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(string[] arguments, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliAssemblyPath());
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? []) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string CliAssemblyPath()
    {
        var path = typeof(CliCredentialTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliAssembly").Value!;
        if (!File.Exists(path)) throw new FileNotFoundException($"build the solution first: {path} is missing");
        return Path.GetFullPath(path);
    }

    public void Dispose()
    {
        if (File.Exists(_keyFile)) File.Delete(_keyFile);
    }
}
