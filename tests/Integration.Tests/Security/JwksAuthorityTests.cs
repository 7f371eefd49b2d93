using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Production tokens signed by an identity provider: the silo set to <c>Auth__Jwt__Authority</c>
/// finds the provider's keys through OpenID Connect discovery (JWKS) and accepts its RS256 tokens;
/// a token signed by another RSA key is refused. The provider is a tiny local HTTP server.
/// </summary>
public sealed class JwksAuthorityTests
{
    [Fact]
    public async Task Tokens_signed_by_the_authoritys_published_key_are_accepted_and_others_refused()
    {
        using var providerKey = RSA.Create(2048);
        var signingKey = new RsaSecurityKey(providerKey) { KeyId = "provider-key-1" };
        var port = FreePort.Next();
        var authority = $"http://127.0.0.1:{port}";
        using var provider = new HttpListener { Prefixes = { authority + "/" } };
        provider.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeDiscoveryAsync(provider, authority, signingKey, stop.Token);

        await using var cluster = await WalletCluster.StartAsync(silos: 1, new Dictionary<string, string?>
        {
            ["Auth__Jwt__Authority"] = authority,
            ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        });
        var user = Ids.User("idp-user");
        await cluster.Channel(0).Wallets.CreditDepositAsync(user, "ETH", 9, "0xidp:" + user);

        var accepted = cluster.Channel(0, token: Issue(signingKey, user));
        Assert.Equal([new Balance("ETH", 9, 0)], await accepted.Wallets.GetBalancesAsync(user));

        using var otherKey = RSA.Create(2048);
        var forged = cluster.Channel(0, token: Issue(new RsaSecurityKey(otherKey) { KeyId = "provider-key-1" }, user));
        await Assert.ThrowsAsync<UnauthenticatedException>(() => forged.Wallets.GetBalancesAsync(user));

        stop.Cancel();
        provider.Stop();
        await serving;
    }

    private static string Issue(SecurityKey key, string userId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TestCredentials.Issuer,
        Audience = TestCredentials.Audience,
        Expires = DateTime.UtcNow.AddMinutes(10),
        Claims = new Dictionary<string, object> { ["sub"] = userId, ["role"] = "user" },
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    });

    /// <summary>Answers /.well-known/openid-configuration and /jwks until cancelled.</summary>
    private static async Task ServeDiscoveryAsync(HttpListener listener, string authority, RsaSecurityKey key, CancellationToken cancellationToken)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(key);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } },
        });
        var discovery = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = TestCredentials.Issuer,
            ["jwks_uri"] = authority + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync().WaitAsync(cancellationToken); }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException) { return; }
            var body = context.Request.Url!.AbsolutePath switch
            {
                "/.well-known/openid-configuration" => discovery,
                "/jwks" => jwks,
                _ => null,
            };
            context.Response.StatusCode = body is null ? 404 : 200;
            context.Response.ContentType = "application/json";
            if (body is not null) await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body), cancellationToken);
            context.Response.Close();
        }
    }
}
