using Xunit.Abstractions;
using System.Net;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// <c>/metrics</c> scraped over HTTP from both silos before and after a known workload: every
/// family the operations guide asks for is there, and counts move by exactly the calls made.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class MetricsEndpointTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly TimeSpan AsyncWorkTimeout = TimeSpan.FromSeconds(30);

    private const string GrpcDuration = "grpc_server_request_duration_seconds";
    private const string GrainCalls = "orleanswallet_grain_calls_total";
    private const string GrainDuration = "orleanswallet_grain_call_duration_seconds";
    private const string StorageWrite = "microsoft_orleans_orleans_storage_write_latency";
    private const string StorageRead = "microsoft_orleans_orleans_storage_read_latency";
    private const string PostgresLatency = "orleanswallet_ledger_ledger_dependency_duration";
    private const string KafkaProduced = "orleanswallet_streaming_kafka_orleanswallet_kafka_stream_produced";
    private const string KafkaProduceDuration = "orleanswallet_streaming_kafka_orleanswallet_kafka_stream_produce_duration";
    private const string KafkaConsumed = "orleanswallet_streaming_kafka_orleanswallet_kafka_stream_consumed";
    private const string KafkaLag = "orleanswallet_streaming_kafka_orleanswallet_kafka_stream_consumer_lag";

    [Fact]
    public async Task Metrics_need_operator_credentials()
    {
        var port = fixture.Cluster.Silos[0].HttpPort;
        using var anonymous = await Http.GetAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());

        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        wrong.Headers.Authorization = PrometheusScrape.Operator(password: "not-the-password");
        using var refused = await Http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The gRPC port (HTTP/2) does not serve operator surfaces, not even with the credentials.
        using var onGrpcPort = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{fixture.Cluster.Silos[0].GrpcPort}/metrics")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        onGrpcPort.Headers.Authorization = PrometheusScrape.Operator();
        using var elsewhere = await Http.SendAsync(onGrpcPort);
        Assert.True(elsewhere.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {elsewhere.StatusCode}");
    }

    [Fact]
    public async Task A_workload_shows_in_every_metric_family_with_matching_counts()
    {
        var silos = fixture.Cluster.Silos;
        var channel = fixture.Cluster.Channel(0);
        var alice = Ids.User("metrics-a");
        var bob = Ids.User("metrics-b");
        const int deposits = 5, transfers = 3, refusedTransfers = 2, balanceReads = 4, orders = 2, cancels = 1;

        var before = await ScrapeAllAsync();

        for (var i = 0; i < deposits; i++)
            await channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, Ids.Key("tx"));
        for (var i = 0; i < transfers; i++)
            await channel.Wallets.TransferAsync(alice, bob, "ETH", 10, Ids.Key("pay"));
        for (var i = 0; i < refusedTransfers; i++)
            await Assert.ThrowsAsync<InsufficientFundsException>(() =>
                channel.Wallets.TransferAsync(bob, alice, "ETH", 1_000_000, Ids.Key("pay")));
        for (var i = 0; i < balanceReads; i++)
            await channel.Wallets.GetBalancesAsync(i % 2 == 0 ? alice : bob);
        var orderIds = Enumerable.Range(0, orders).Select(_ => Ids.Key("order")).ToList();
        foreach (var order in orderIds)
            await channel.Orders.PlaceAsync(order, alice, "ETH", 100, "USDC", 1);
        await channel.Orders.CancelAsync(orderIds[0]);
        // A withdrawal reads reference data through the Redis cache and records the limit in Postgres.
        await WithdrawalSetup.AllowWithdrawalsAsync(channel, alice);
        await channel.Wallets.RequestWithdrawalAsync(alice, Ids.Key("wd"), "ETH", 5, WithdrawalSetup.EthereumAddress);
        await channel.Wallets.RequestWithdrawalAsync(alice, Ids.Key("wd"), "ETH", 5, WithdrawalSetup.EthereumAddress);

        // Journal entries reach Postgres and order events reach Kafka off the request path: wait for them.
        const int kafkaEvents = orders + cancels;
        var after = await Eventually.ReturnsAsync(ScrapeAllAsync,
            scrapes => Delta(before, scrapes, KafkaProduced) >= kafkaEvents
                       && Delta(before, scrapes, KafkaConsumed) >= kafkaEvents
                       && Delta(before, scrapes, PostgresLatency + "_count", ("dependency", "postgres"), ("operation", "journal.append")) > 0,
            AsyncWorkTimeout, "order events produced and consumed, journal appended");

        // gRPC: one histogram sample per call, by method and status.
        Assert.Equal(deposits, Delta(before, after, GrpcDuration + "_count", Method("WalletService/CreditDeposit"), ("status", "OK")));
        Assert.Equal(transfers, Delta(before, after, GrpcDuration + "_count", Method("WalletService/Transfer"), ("status", "OK")));
        Assert.Equal(refusedTransfers,
            Delta(before, after, GrpcDuration + "_count", Method("WalletService/Transfer"), ("status", "FailedPrecondition")));
        Assert.Equal(balanceReads, Delta(before, after, GrpcDuration + "_count", Method("WalletService/GetBalances"), ("status", "OK")));
        Assert.Equal(orders, Delta(before, after, GrpcDuration + "_count", Method("OrderService/PlaceOrder"), ("status", "OK")));
        Assert.Equal(cancels, Delta(before, after, GrpcDuration + "_count", Method("OrderService/CancelOrder"), ("status", "OK")));
        var buckets = after.SelectMany(s => s.Samples(GrpcDuration + "_bucket"))
            .Where(s => s.Labels["method"] == "/orleanswallet.v1.WalletService/CreditDeposit")
            .Select(s => s.Labels["le"]).Distinct().ToList();
        // ExponentialBuckets(0.001, 2, 15): 1 ms … 16.384 s, and +Inf.
        Assert.Equal(16, buckets.Count);
        Assert.Contains("0.001", buckets);
        Assert.Contains("16.384", buckets);

        // Grain calls by interface, method and outcome; latency by interface and method.
        Assert.Equal(deposits, Delta(before, after, GrainCalls, ("interface", "IWalletGrain"), ("method", "CreditDeposit"), ("outcome", "ok")));
        Assert.Equal(transfers, Delta(before, after, GrainCalls, ("interface", "IWalletGrain"), ("method", "Transfer"), ("outcome", "ok")));
        Assert.Equal(refusedTransfers,
            Delta(before, after, GrainCalls, ("interface", "IWalletGrain"), ("method", "Transfer"), ("outcome", "refused")));
        Assert.Equal(deposits, Delta(before, after, GrainDuration + "_count", ("interface", "IWalletGrain"), ("method", "CreditDeposit")));
        Assert.Equal(orders, Delta(before, after, GrainCalls, ("interface", "IOrderGrain"), ("method", "Place"), ("outcome", "ok")));

        // Redis grain storage latency (Orleans' own meter): every accepted change is one write at least.
        Assert.True(Delta(before, after, StorageWrite + "_count", ("provider_type_name", "RedisGrainStorage"), ("state_name", "wallet"))
                    >= deposits + transfers);
        Assert.True(after.Any(s => s.HasFamily(StorageRead)), "storage read latency");

        // Postgres query latency, cache hit/miss counts and ratio, breaker state, outbox depth.
        Assert.True(Delta(before, after, PostgresLatency + "_count", ("dependency", "postgres"), ("operation", "withdrawals.record")) >= 2);
        Assert.True(Delta(before, after, "orleanswallet_ledger_ledger_cache_misses") + Delta(before, after, "orleanswallet_ledger_ledger_cache_hits") > 0);
        foreach (var scrape in after.Where(s => s.HasFamily("orleanswallet_ledger_ledger_cache_hit_ratio")))
            Assert.InRange(scrape.Sum("orleanswallet_ledger_ledger_cache_hit_ratio"), 0, 1);
        Assert.Contains(after, s => s.HasFamily("orleanswallet_ledger_ledger_cache_hit_ratio"));
        Assert.All(after, s => Assert.Equal(0, s.Sum("orleanswallet_ledger_ledger_breaker_state", ("dependency", "postgres"))));
        // The journal's backlog gauge, whatever instrument the wallet side reports it with.
        Assert.Contains(after, s => s.Types.Keys.Any(f => f.StartsWith("orleanswallet_wallet_", StringComparison.Ordinal)
                                                           && (f.Contains("outbox") || f.Contains("journal"))));

        // Kafka: produced once per event, its latency, consumed, lag per partition.
        Assert.Equal(kafkaEvents, Delta(before, after, KafkaProduced));
        Assert.Equal(kafkaEvents, Delta(before, after, KafkaProduceDuration + "_count"));
        Assert.Contains(after.SelectMany(s => s.Samples(KafkaLag)), s => s.Labels.ContainsKey("partition"));

        // Orleans' own meters and the .NET runtime.
        Assert.All(after, s => Assert.True(s.HasFamily("microsoft_orleans_orleans_catalog_activations"), "Orleans meter"));
        // Left out for their cost: a walk of every directory-cache entry or activation on each scrape,
        // or a measurement on every message.
        foreach (var family in new[] { "directory_cache_size", "messaging_processing_activation_data", "messaging_sent_messages_size",
                     "messaging_received_messages_size", "directory_lookups_cache_issued", "directory_lookups_local_successes" })
            Assert.All(after, s => Assert.False(s.HasFamily("microsoft_orleans_orleans_" + family), family));
        Assert.All(after, s => Assert.True(s.HasFamily("system_runtime_dotnet_gc_collections"), "System.Runtime meter"));
        Assert.All(after, s => Assert.True(s.HasFamily("process_cpu_seconds_total"), "process metrics"));

        // Bounded labels: no series is keyed by a user.
        foreach (var scrape in after)
            foreach (var family in scrape.Types.Keys)
                Assert.DoesNotContain(scrape.Samples(family), s => s.Labels.Values.Any(v => v.Contains(alice) || v.Contains(bob)));
        output.WriteLine($"families on silo 0: {after[0].Types.Count}");

        async Task<IReadOnlyList<PrometheusScrape>> ScrapeAllAsync() =>
            await Task.WhenAll(silos.Select(s => PrometheusScrape.FromAsync(Http, s)));
    }

    private static (string, string) Method(string serviceAndMethod) =>
        ("method", serviceAndMethod.StartsWith("Ledger", StringComparison.Ordinal)
            ? $"/orleanswallet.ledger.v1.{serviceAndMethod}"
            : $"/orleanswallet.v1.{serviceAndMethod}");

    private static double Delta(IReadOnlyList<PrometheusScrape> before, IReadOnlyList<PrometheusScrape> after, string name,
        params (string, string)[] labels) =>
        PrometheusScrape.Sum(after, name, labels) - PrometheusScrape.Sum(before, name, labels);
}
