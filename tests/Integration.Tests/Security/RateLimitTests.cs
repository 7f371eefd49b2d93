using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>Per-caller token buckets: a caller over its limit gets ResourceExhausted with a retry-after; others do not notice.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RateLimitTests(SecurityFixture fixture)
{
    [Fact]
    public async Task A_caller_over_its_limit_gets_ResourceExhausted_with_retry_after_and_others_are_not_affected()
    {
        var token = fixture.Cluster.Credentials.Issue(SecurityFixture.ThrottledOperator, ["operator"]);
        var throttled = new WalletService.WalletServiceClient(fixture.Cluster.RawInvoker(0, token));
        var request = new GetBalancesRequest { UserId = "anyone" };

        // The burst is spent at once (2 a second refill: well below what these calls take).
        var outcomes = new List<(StatusCode Status, Metadata? Trailers)>();
        for (var i = 0; i < SecurityFixture.ThrottledBurst + 5; i++)
        {
            try
            {
                await throttled.GetBalancesAsync(request);
                outcomes.Add((StatusCode.OK, null));
            }
            catch (RpcException e)
            {
                outcomes.Add((e.StatusCode, e.Trailers));
            }
        }
        var refused = outcomes.Where(o => o.Status != StatusCode.OK).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r =>
        {
            Assert.Equal(StatusCode.ResourceExhausted, r.Status);
            Assert.Equal("rate_limited", r.Trailers!.GetValue("error-reason"));
            Assert.True(int.Parse(r.Trailers.GetValue("retry-after")!) >= 1);
            Assert.InRange(long.Parse(r.Trailers.GetValue("retry-after-ms")!), 1, 5_000);
        });

        // Another caller is not affected while this one is throttled.
        Assert.NotEmpty(await fixture.Admin.Wallets.ListAssetsAsync());

        // The SDK names it, with the wait; after the wait the caller gets through again.
        var sdk = fixture.Cluster.Channel(0, token: token);
        var limited = await Assert.ThrowsAsync<RateLimitedException>(async () =>
        {
            for (var i = 0; i < 10; i++) await sdk.Wallets.GetBalancesAsync("anyone");
        });
        Assert.Equal("rate_limited", limited.Reason);
        Assert.True(limited.RetryAfter > TimeSpan.Zero);
        await Task.Delay(limited.RetryAfter + TimeSpan.FromMilliseconds(100));
        await sdk.Wallets.GetBalancesAsync("anyone");
    }

    [Fact]
    public async Task A_user_whose_id_matches_a_named_bucket_does_not_get_it()
    {
        // The fixture's users may make a million calls a second; the named bucket (3, then 2/s) is for the operator only.
        var user = fixture.Cluster.Channel(0, token: fixture.Cluster.Credentials.UserToken(SecurityFixture.ThrottledOperator));
        for (var i = 0; i < SecurityFixture.ThrottledBurst + 5; i++) await user.Wallets.GetBalancesAsync(SecurityFixture.ThrottledOperator);
    }
}
