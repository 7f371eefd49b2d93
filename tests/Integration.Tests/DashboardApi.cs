using System.Net.Http.Headers;
using System.Text.Json;

namespace OrleansWallet.Integration.Tests;

/// <summary>The Orleans Dashboard's JSON endpoints, read as its web page reads them.</summary>
public sealed class DashboardApi(HttpClient http, string root, AuthenticationHeaderValue? credentials)
{
    /// <summary>Each silo the dashboard lists: its address and when it started.</summary>
    public async Task<IReadOnlyList<(string Address, DateTimeOffset Started)>> SilosAsync()
    {
        using var document = await GetAsync("DashboardCounters");
        return document.RootElement.GetProperty("hosts").EnumerateArray()
            .Select(h => (h.GetProperty("siloAddress").GetString()!, h.GetProperty("startTime").GetDateTimeOffset()))
            .ToList();
    }

    /// <summary>The names in a silo's counters table.</summary>
    public async Task<IReadOnlyList<string>> CounterNamesAsync(string siloAddress)
    {
        using var document = await GetAsync("SiloCounters/" + siloAddress);
        return document.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
    }

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, root + path);
        request.Headers.Authorization = credentials;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
