using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>What an operator or Kubernetes probes: health over HTTP and gRPC, and the dashboard.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class OperatorEndpointTests(ClusterFixture fixture)
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Health_endpoints_answer_on_every_silo()
    {
        foreach (var silo in fixture.Cluster.Silos)
        {
            Assert.Equal("Healthy", await Http.GetStringAsync($"http://127.0.0.1:{silo.HttpPort}/health/live"));
            using var ready = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{silo.HttpPort}/health/ready"));
            Assert.Equal("Healthy", ready.RootElement.GetProperty("status").GetString());
            foreach (var check in new[] { "silo", "redis", "postgres", "kafka" })
                Assert.Equal("Healthy", ready.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());

            using var channel = GrpcChannel.ForAddress(silo.GrpcAddress);
            var health = new Health.HealthClient(channel);
            foreach (var service in new[] { "", "orleanswallet.v1.WalletService", "orleanswallet.v1.OrderService", "orleanswallet.ledger.v1.LedgerService" })
            {
                var reply = await health.CheckAsync(new HealthCheckRequest { Service = service });
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
            }
        }
    }

    [Fact]
    public async Task The_dashboard_is_served_under_its_prefix()
    {
        var port = fixture.Cluster.Silos[0].HttpPort;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/dashboard/");
        request.Headers.Authorization = PrometheusScrape.Operator();
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
    }
}
