using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace OrleansWallet.Cli;

/// <summary>Options shared by the commands, with parsing that names the offending option.</summary>
internal static class CliOptions
{
    public static readonly Option<string> Endpoint = new("--endpoint")
    {
        Description = "gRPC endpoint of a silo (env ORLEANS_WALLET_ENDPOINT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANS_WALLET_ENDPOINT") ?? "http://127.0.0.1:5000",
        Recursive = true,
    };

    /// <summary>A JWT for every command (README: Security); <c>orleans-wallet token issue</c> makes one for a local run.</summary>
    public static readonly Option<string?> Token = new("--token")
    {
        Description = "bearer token (JWT) sent with every call (env ORLEANS_WALLET_TOKEN)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANS_WALLET_TOKEN"),
        Recursive = true,
    };

    /// <summary>A service's API key for every command; used instead of the token if both are given.</summary>
    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key ({id}.{secret}) sent with every call instead of a token (env ORLEANS_WALLET_API_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANS_WALLET_API_KEY"),
        Recursive = true,
    };

    public static Option<string> Required(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>An amount in base units: base-10 digits only, checked here so the message names the option.</summary>
    public static Option<BigInteger> Amount(string name, string description) => new(name)
    {
        Description = description + " (base units: digits only, e.g. wei)",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (text.Length == 0 || text.Length > 78 || !text.All(char.IsAsciiDigit))
            {
                result.AddError($"{name}: '{text}' is not an amount in base units (base-10 digits only: no sign, decimal point or exponent)");
                return default;
            }
            return BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        },
    };
}
