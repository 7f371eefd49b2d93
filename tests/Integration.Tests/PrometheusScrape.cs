using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansWallet.Integration.Tests;

/// <summary>One scrape of a silo's <c>/metrics</c>, parsed from the Prometheus text format.</summary>
public sealed class PrometheusScrape
{
    private readonly List<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> _samples;

    private PrometheusScrape(List<(string, IReadOnlyDictionary<string, string>, double)> samples, IReadOnlyDictionary<string, string> types)
    {
        _samples = samples;
        Types = types;
    }

    /// <summary>Family name → type, from the <c># TYPE</c> lines.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static AuthenticationHeaderValue Operator(string user = WalletCluster.OperatorUser, string password = WalletCluster.OperatorPassword) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static async Task<PrometheusScrape> FromAsync(HttpClient http, SiloProcess silo)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{silo.HttpPort}/metrics");
        request.Headers.Authorization = Operator();
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<(string, IReadOnlyDictionary<string, string>, double)>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.Length == 0 || line[0] == '#') continue;
            var valueAt = line.LastIndexOf(' ');
            var series = line[..valueAt];
            var value = double.Parse(line[(valueAt + 1)..], CultureInfo.InvariantCulture);
            var brace = series.IndexOf('{');
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0)
            {
                // Values here never contain '",' (method names, ids of our own): a plain split is enough.
                foreach (var pair in series[(brace + 1)..^1].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }
                series = series[..brace];
            }
            samples.Add((series, labels, value));
        }
        return new PrometheusScrape(samples, types);
    }

    public bool HasFamily(string name) => Types.ContainsKey(name);

    public IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string name) =>
        _samples.Where(s => s.Name == name).Select(s => (s.Labels, s.Value));

    /// <summary>Sum of the samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples(name).Where(s => labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    public static double Sum(IEnumerable<PrometheusScrape> scrapes, string name, params (string Key, string Value)[] labels) =>
        scrapes.Sum(s => s.Sum(name, labels));
}
