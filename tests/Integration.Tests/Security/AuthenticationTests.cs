using System.Numerics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OrleansWallet.Api.V1;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>Who gets in: no credential, bad credentials, a token, an API key; what stays open without one.</summary>
[Collection(SecurityCollection.Name)]
public sealed class AuthenticationTests(SecurityFixture fixture)
{
    [Fact]
    public async Task An_anonymous_call_to_any_money_method_is_Unauthenticated_and_changes_nothing()
    {
        var user = Ids.User("anon-target");
        await fixture.Admin.Wallets.CreditDepositAsync(user, "ETH", 100, "0xanon:" + user);
        using var anonymous = new WalletChannel(new WalletClientOptions { Address = new Uri(fixture.Cluster.Silos[0].GrpcAddress) });

        var calls = new Func<Task>[]
        {
            () => anonymous.Wallets.CreditDepositAsync(user, "ETH", 1_000_000, Ids.Key("0xtx")),
            () => anonymous.Wallets.TransferAsync(user, "thief", "ETH", 100, Ids.Key("t")),
            () => anonymous.Wallets.RequestWithdrawalAsync(user, Ids.Key("w"), "ETH", 100, WithdrawalSetup.EthereumAddress),
            () => anonymous.Wallets.CompleteWithdrawalAsync(user, "w"),
            () => anonymous.Wallets.FailWithdrawalAsync(user, "w"),
            () => anonymous.Wallets.SubmitBatchAsync([new DepositOperation(user, "ETH", 5, Ids.Key("tx"))]),
            () => anonymous.Orders.PlaceAsync(Ids.Key("o"), user, "ETH", 1, "USDC", 1),
            () => anonymous.Orders.FillAsync("o", "f", 1, 1),
            () => anonymous.Orders.CancelAsync("o"),
            () => anonymous.Wallets.GetBalancesAsync(user),
            () => anonymous.Ledger.ReconcileAsync(),
            () => anonymous.Ledger.UpsertUserAsync(user, 1),
            () => anonymous.Ledger.SetTierLimitAsync(1, "ETH", BigInteger.One),
        };
        foreach (var call in calls)
        {
            var refused = await Assert.ThrowsAsync<UnauthenticatedException>(call);
            Assert.Equal("unauthenticated", refused.Reason);
            Assert.Equal(StatusCode.Unauthenticated, refused.Status);
        }
        Assert.Equal([new Balance("ETH", 100, 0)], await fixture.Admin.Wallets.GetBalancesAsync(user));
    }

    [Fact]
    public async Task Health_reflection_and_the_operator_http_port_answer_without_a_credential()
    {
        var silo = fixture.Cluster.Silos[0];
        using var channel = GrpcChannel.ForAddress(silo.GrpcAddress);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        // Reflection's ServerReflectionInfo, spoken raw (no reflection client package): list_services = "" (field 7).
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo", raw, raw);
        using var reflection = channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        await reflection.RequestStream.WriteAsync([0x3A, 0x00]);
        Assert.True(await reflection.ResponseStream.MoveNext());
        Assert.Contains("orleanswallet.v1.WalletService", System.Text.Encoding.UTF8.GetString(reflection.ResponseStream.Current));
        await reflection.RequestStream.CompleteAsync();

        using var http = new HttpClient();
        var readiness = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{silo.HttpPort}/health/ready"));
        Assert.Equal("Healthy", readiness.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_user_token_acts_on_its_own_wallet_and_gets_PermissionDenied_on_anothers()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        await fixture.Admin.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xown:" + alice);
        await fixture.Admin.Wallets.CreditDepositAsync(bob, "ETH", 100, "0xown:" + bob);
        var asAlice = fixture.Cluster.Channel(0, token: fixture.Cluster.Credentials.UserToken(alice));

        await asAlice.Wallets.TransferAsync(alice, bob, "ETH", 10, Ids.Key("t"));
        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => asAlice.Wallets.TransferAsync(bob, alice, "ETH", 50, Ids.Key("t")));
        Assert.Equal("permission_denied", denied.Reason);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => asAlice.Wallets.GetBalancesAsync(bob));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => asAlice.Wallets.CreditDepositAsync(alice, "ETH", 1_000, Ids.Key("tx")));

        Assert.Equal([new Balance("ETH", 90, 0)], await asAlice.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 110, 0)], await fixture.Admin.Wallets.GetBalancesAsync(bob));
    }

    [Fact]
    public async Task A_service_api_key_authenticates_and_a_wrong_secret_does_not()
    {
        var user = Ids.User("keyed");
        var service = fixture.Cluster.Channel(0, apiKey: fixture.Cluster.Credentials.ServiceApiKey);
        await service.Wallets.CreditDepositAsync(user, "ETH", 5, "0xkey:" + user);
        Assert.Equal([new Balance("ETH", 5, 0)], await service.Wallets.GetBalancesAsync(user));
        // The key's role is operator: reference data is the admin's.
        await Assert.ThrowsAsync<PermissionDeniedException>(() => service.Ledger.UpsertUserAsync(user, 1));

        var wrong = fixture.Cluster.Channel(0, apiKey: TestCredentials.ServiceKeyId + ".not-the-secret");
        await Assert.ThrowsAsync<UnauthenticatedException>(() => wrong.Wallets.GetBalancesAsync(user));
    }

    [Fact]
    public async Task Expired_forged_and_foreign_tokens_are_Unauthenticated()
    {
        var credentials = fixture.Cluster.Credentials;
        var tokens = new[]
        {
            credentials.Issue("late", ["operator"], lifetime: TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-1)),
            credentials.Issue("forger", ["operator"], signingKey: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            credentials.Issue("foreign", ["operator"], issuer: "another-issuer"),
            credentials.Issue("foreign", ["operator"], audience: "another-api"),
            credentials.Issue("early", ["operator"], notBefore: DateTime.UtcNow.AddHours(1)),
            "not.a.token",
        };
        foreach (var token in tokens)
        {
            var channel = fixture.Cluster.Channel(0, token: token);
            await Assert.ThrowsAsync<UnauthenticatedException>(() => channel.Wallets.ListAssetsAsync());
        }
    }
}
