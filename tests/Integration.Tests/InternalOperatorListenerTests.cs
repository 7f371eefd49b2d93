using System.Net;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// <c>Operations__Listener=Internal</c>: /metrics and /dashboard move to a loopback port of their
/// own (no credentials unless a password is set) and leave the HTTP port, where health stays open.
/// </summary>
public sealed class InternalOperatorListenerTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int _internalPort = FreePort.Next();
    private WalletCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await WalletCluster.StartAsync(silos: 1, new Dictionary<string, string?>
        {
            ["Operations__Listener"] = "Internal",
            ["Operations__InternalPort"] = _internalPort.ToString(),
            ["Operations__Password"] = "", // no credentials on the internal listener
            ["Operations__DashboardCounters"] = "true",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Operator_surfaces_answer_on_the_internal_port_only()
    {
        var silo = _cluster.Silos[0];
        using var metrics = await Http.GetAsync($"http://127.0.0.1:{_internalPort}/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("process_cpu_seconds_total", await metrics.Content.ReadAsStringAsync());
        using var dashboard = await Http.GetAsync($"http://127.0.0.1:{_internalPort}/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

        // Not on the public HTTP port, even with the credentials.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{silo.HttpPort}/metrics");
        request.Headers.Authorization = PrometheusScrape.Operator();
        using var refused = await Http.SendAsync(request);
        Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"got {refused.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"http://127.0.0.1:{silo.HttpPort}/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_counters_are_collected_when_asked_for()
    {
        var dashboard = new DashboardApi(Http, $"http://127.0.0.1:{_internalPort}/dashboard/", credentials: null);
        var (address, _) = Assert.Single(await Eventually.ReturnsAsync(dashboard.SilosAsync, s => s.Count == 1,
            TimeSpan.FromSeconds(30), "the silo listed"));
        var names = await Eventually.ReturnsAsync(() => dashboard.CounterNamesAsync(address),
            n => n.Contains("orleans-catalog-activations"), TimeSpan.FromSeconds(30), "Orleans' counters in the silo's table");
        Assert.Contains("orleans-directory-cache-size", names);
    }
}
