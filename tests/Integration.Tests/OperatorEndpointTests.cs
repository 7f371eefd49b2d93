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
            Assert.Equal("Healthy", await Http.GetStringAsync($"http://127.0.0.1:{silo.HttpPort}/health/ready"));

            using var channel = GrpcChannel.ForAddress(silo.GrpcAddress);
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }

    [Fact]
    public async Task The_dashboard_is_served_under_its_prefix()
    {
        var port = fixture.Cluster.Silos[0].HttpPort;
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}/dashboard/");
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
    }
}
