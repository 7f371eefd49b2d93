using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// ASP.NET Core rate limiting for the gRPC API: one token bucket per caller. A refused call gets
/// ResourceExhausted / <c>rate_limited</c> with <c>retry-after</c> (whole seconds, as HTTP) and
/// <c>retry-after-ms</c> trailers; nothing behind the limiter runs.
/// </summary>
internal static class CallerRateLimiting
{
    public const string Policy = "wallet-caller";
    public const string Reason = "rate_limited";
    public const string RetryAfterTrailer = "retry-after";
    public const string RetryAfterMsTrailer = "retry-after-ms";

    /// <summary>Buckets refill ten times a second: smooth enough that a caller at its limit is not refused in bursts.</summary>
    private static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Partitions by the kind and name of the credential and the bucket its roles give it (a user
    /// token and an operator token with the same subject do not share a bucket). No string is built per call.
    /// </summary>
    private readonly record struct PartitionKey(CredentialKind Kind, string Name, BucketOptions Bucket);

    public static IServiceCollection AddCallerRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.AddPolicy(Policy, context => Partition(context, limits));
            limiter.OnRejected = (rejected, _) => Refuse(rejected.HttpContext, rejected.Lease);
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    private static RateLimitPartition<PartitionKey> Partition(HttpContext context, RateLimitOptions limits)
    {
        var caller = Caller.From(context.User);
        if (!caller.IsAuthenticated)
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return Bucket(new PartitionKey(CredentialKind.None, address, limits.Anonymous));
        }
        // Named buckets are for operator and admin principals (a load generator, a job): a user id
        // that happens to share a name must not inherit one.
        var bucket = caller.ActsForAnyUser && limits.Principals.TryGetValue(caller.Name, out var named) ? named
            : caller.Has(Roles.Operator) ? limits.Operator
            : caller.Has(Roles.Admin) ? limits.Admin
            : limits.User;
        return Bucket(new PartitionKey(caller.Kind, caller.Name, bucket));
    }

    private static RateLimitPartition<PartitionKey> Bucket(PartitionKey key) => key.Bucket.Unlimited
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = k.Bucket.Burst,
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(k.Bucket.PermitsPerSecond * ReplenishmentPeriod.TotalSeconds)),
            ReplenishmentPeriod = ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static ValueTask Refuse(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : ReplenishmentPeriod;
        var trailers = new[]
        {
            KeyValuePair.Create(RetryAfterTrailer, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)),
            KeyValuePair.Create(RetryAfterMsTrailer, Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)),
        };
        if (!GrpcRefusalResponse.IsGrpc(context))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = trailers[0].Value;
            return ValueTask.CompletedTask;
        }
        return new ValueTask(GrpcRefusalResponse.WriteAsync(context, StatusCode.ResourceExhausted, Reason,
            $"rate limit of this caller exceeded; retry after {trailers[1].Value} ms", trailers));
    }
}
