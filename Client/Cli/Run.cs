using System.CommandLine;
using OrleansWallet.Client;

namespace OrleansWallet.Cli;

internal static class Run
{
    /// <summary>
    /// The one place every command's channel options are made: the endpoint and the credential
    /// (--token / --api-key, or ORLEANS_WALLET_TOKEN / ORLEANS_WALLET_API_KEY).
    /// </summary>
    public static WalletClientOptions ChannelOptions(ParseResult result, Uri address) => new()
    {
        Address = address,
        BearerToken = NullIfBlank(result.GetValue(CliOptions.Token)),
        ApiKey = NullIfBlank(result.GetValue(CliOptions.ApiKey)),
    };

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Runs a command against the endpoint; a refusal prints its reason and exits 1.</summary>
    public static async Task<int> WithChannel(ParseResult result, Func<WalletChannel, Task> action)
    {
        var endpoint = result.GetValue(CliOptions.Endpoint)!;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"--endpoint: '{endpoint}' is not an http:// or https:// address");
            return 2;
        }
        using var channel = new WalletChannel(ChannelOptions(result, address));
        try
        {
            await action(channel);
            return 0;
        }
        catch (WalletApiException ex)
        {
            Console.Error.WriteLine($"refused ({ex.Status}, {ex.Reason}): {ex.Message}");
            if (ex is UnauthenticatedException)
                Console.Error.WriteLine("give a credential: --token / ORLEANS_WALLET_TOKEN or --api-key / ORLEANS_WALLET_API_KEY (README: Security)");
            return 1;
        }
    }
}
