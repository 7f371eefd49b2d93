using Xunit.Abstractions;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// The Orleans Dashboard as an operator sees it: refused without credentials; with them, headless
/// Chromium renders the silos page (both silos) and the grains page (the wallet and order grain
/// types). Screenshots are kept under TestResults/dashboard/.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DashboardBrowserTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Anonymous_and_wrong_credentials_are_refused()
    {
        var port = fixture.Cluster.Silos[0].HttpPort;
        using var anonymous = await Http.GetAsync($"http://127.0.0.1:{port}/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString());

        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/dashboard/");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WalletCluster.OperatorUser}:guess")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(wrong)).StatusCode);

        using var api = await Http.GetAsync($"http://127.0.0.1:{port}/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Headless_chromium_shows_both_silos_and_the_grain_types()
    {
        var cluster = fixture.Cluster;
        var channel = cluster.Channel(0);
        var user = Ids.User("dash");
        await channel.Wallets.CreditDepositAsync(user, "ETH", 1_000, Ids.Key("tx"));
        await channel.Orders.PlaceAsync(Ids.Key("order"), user, "ETH", 10, "USDC", 1);

        var browser = new HeadlessChromium(ArtifactDirectory());
        var port = cluster.Silos[0].HttpPort;
        var root = $"http://{WalletCluster.OperatorUser}:{WalletCluster.OperatorPassword}@127.0.0.1:{port}/dashboard/";
        var siloEndpoints = cluster.Silos.Select(s => $"127.0.0.1:{s.Environment["Silo__SiloPort"]}").ToList();

        // The dashboard gathers counters from every silo every second: render until they are in.
        var silosPage = await Eventually.ReturnsAsync(() => browser.RenderAsync(root + "#/silos"),
            page => siloEndpoints.All(page.Contains), RenderTimeout, "both silos on the silos page");
        var grainsPage = await Eventually.ReturnsAsync(() => browser.RenderAsync(root + "#/grains"),
            page => page.Contains("WalletGrain") && page.Contains("OrderGrain"), RenderTimeout, "wallet and order grain types on the grains page");
        Assert.Contains("Active", silosPage);
        Assert.Contains("WalletGrain", grainsPage);

        foreach (var (page, name) in new[] { ("#/silos", "dashboard-silos.png"), ("#/grains", "dashboard-grains.png") })
        {
            var path = await browser.ScreenshotAsync(root + page, name);
            Assert.True(new FileInfo(path).Length > 10_000, $"{path} looks empty");
            output.WriteLine($"screenshot: {path}");
        }
    }

    [Fact]
    public async Task Silo_counters_are_not_collected_by_default()
    {
        // Off by default (Operations:DashboardCounters): collecting them walks every activation each second.
        var port = fixture.Cluster.Silos[0].HttpPort;
        var dashboard = new DashboardApi(Http, $"http://127.0.0.1:{port}/dashboard/", PrometheusScrape.Operator());
        // Long enough after each silo started for a collection running every second to have filled its table.
        var silos = await Eventually.ReturnsAsync(dashboard.SilosAsync,
            s => s.Count == fixture.Cluster.Silos.Count && s.All(h => DateTimeOffset.UtcNow - h.Started > CountersCollectedWithin),
            RenderTimeout, "both silos listed and up for a few seconds");
        foreach (var (address, _) in silos)
            Assert.Empty(await dashboard.CounterNamesAsync(address));
    }

    /// <summary>Five periods of the dashboard's one-second collection.</summary>
    private static readonly TimeSpan CountersCollectedWithin = TimeSpan.FromSeconds(5);

    /// <summary>TestResults/dashboard under the repository root (ignored by git, kept by the test command).</summary>
    private static string ArtifactDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansWallet.sln")))
            directory = directory.Parent;
        var root = directory?.FullName ?? Path.GetTempPath();
        var artifacts = Path.Combine(root, "TestResults", "dashboard");
        Directory.CreateDirectory(artifacts);
        return artifacts;
    }
}
