using Grpc.Core;
using OrleansWallet.Client;
using Xunit.Abstractions;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Redis and PostgreSQL that require a password, given to the silo in settings of their own
/// (as a Kubernetes Secret would), through normal work, refused credentials and both services
/// going away and coming back: no log line carries a password, a token, a signing key or an API key.
/// </summary>
public sealed class ServiceSecretsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Passwords_from_their_own_settings_work_and_no_secret_reaches_the_log()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var cluster = await WalletCluster.StartAsync(silos: 1, servicePassword: password);
        var admin = cluster.Channel(0);
        var credentials = cluster.Credentials;
        var user = Ids.User("secret");

        // Work that needs Redis (state) and Postgres (reference data, journal) with their passwords.
        await WithdrawalSetup.AllowWithdrawalsAsync(admin, user);
        await admin.Wallets.CreditDepositAsync(user, "ETH", 1_000, "0xsecret:" + user);
        await admin.Wallets.RequestWithdrawalAsync(user, "w-" + user, "ETH", 10, WithdrawalSetup.EthereumAddress);
        await Journaled.WaitAsync(admin, user);
        Assert.NotEmpty((await admin.Ledger.GetHistoryAsync(user)).Entries);

        // Refused credentials of every kind.
        var userToken = credentials.UserToken(user);
        var forged = credentials.Issue("forger", ["operator"], signingKey: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await Assert.ThrowsAsync<UnauthenticatedException>(() => cluster.Channel(0, token: forged).Wallets.GetBalancesAsync(user));
        await Assert.ThrowsAsync<UnauthenticatedException>(() =>
            cluster.Channel(0, apiKey: TestCredentials.ServiceKeyId + ".wrong-secret").Wallets.GetBalancesAsync(user));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => cluster.Channel(0, token: userToken).Wallets.GetBalancesAsync("someone-else"));
        await cluster.Channel(0, apiKey: credentials.ServiceApiKey).Wallets.GetBalancesAsync(user);

        // Postgres away and back: the breaker logs its failures.
        await cluster.Postgres.StopAsync();
        await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            admin.Wallets.RequestWithdrawalAsync(user, "w2-" + user, "ETH", 1, WithdrawalSetup.EthereumAddress));
        await cluster.Postgres.StartAsync();
        // Redis restarted: the silo reconnects (with the password) and logs the interruption.
        await cluster.Redis.RestartAsync();
        await Eventually.ReturnsAsync(async () =>
        {
            try { return await admin.Wallets.CreditDepositAsync(user, "ETH", 1, "0xafter:" + user) is not null; }
            catch (ServiceUnavailableException) { return false; }
        }, ok => ok, TimeSpan.FromSeconds(60), "a deposit after Redis came back");

        var log = cluster.Silos[0].Output;
        // A silo that is given a wrong Postgres password at start must not print it either.
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        string failedStartLog;
        try
        {
            var restarted = await cluster.RestartSiloAsync(0, new Dictionary<string, string?> { ["Ledger__Postgres__Password"] = wrong });
            failedStartLog = restarted.Output;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            failedStartLog = e.Message;
        }
        output.WriteLine($"silo log: {log.Length} characters; start with a wrong password: {failedStartLog.Length} characters");
        foreach (var line in (log + "\n" + failedStartLog).Split('\n').Where(l => l.Contains("password", StringComparison.OrdinalIgnoreCase)).Take(20))
            output.WriteLine("mentions a password: " + line);

        var secrets = new Dictionary<string, string>
        {
            ["service password"] = password,
            ["signing key"] = credentials.SigningKeyBase64,
            ["API key secret"] = credentials.ServiceKeySecret,
            ["operator token"] = credentials.OperatorToken()[..60],
            ["user token"] = userToken,
            ["forged token"] = forged,
        };
        foreach (var (name, secret) in secrets)
        {
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"the silo log contains the {name}");
            Assert.False(failedStartLog.Contains(secret, StringComparison.Ordinal), $"the failed start's log contains the {name}");
        }
        Assert.DoesNotContain(wrong, failedStartLog);
        // Tokens are signed per call; a token's signature part alone must not appear either.
        Assert.DoesNotContain(userToken.Split('.')[2], log);
    }
}
