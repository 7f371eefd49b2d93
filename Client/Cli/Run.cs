using System.CommandLine;
using OrleansWallet.Client;

namespace OrleansWallet.Cli;

internal static class Run
{
    /// <summary>Runs a command against the endpoint; a refusal prints its reason and exits 1.</summary>
    public static async Task<int> WithChannel(ParseResult result, Func<WalletChannel, Task> action)
    {
        var endpoint = result.GetValue(CliOptions.Endpoint)!;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"--endpoint: '{endpoint}' is not an http:// or https:// address");
            return 2;
        }
        using var channel = new WalletChannel(new WalletClientOptions { Address = address });
        try
        {
            await action(channel);
            return 0;
        }
        catch (WalletApiException ex)
        {
            Console.Error.WriteLine($"refused ({ex.Status}, {ex.Reason}): {ex.Message}");
            return 1;
        }
    }
}
