using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansWallet.Cli.Commands;

/// <summary>
/// token issue (a JWT signed with a local signing key) and apikey create (a service key and the
/// hash the silos keep). Neither talks to the cluster.
/// </summary>
internal static class CredentialCommands
{
    private static readonly string[] KnownRoles = ["user", "operator", "admin"];

    /// <summary>Where the run script keeps its generated dev key (relative to the repository root).</summary>
    private const string RunSigningKeyFile = ".data/run/jwt-signing.key";

    /// <summary>A token lives at most 30 days: longer-lived credentials for services are API keys, which can be removed from configuration.</summary>
    private static readonly TimeSpan TokenLifetimeMax = TimeSpan.FromDays(30);

    public static IEnumerable<Command> All()
    {
        yield return Token();
        yield return ApiKey();
    }

    private static Option<string[]> Roles() => new("--role")
    {
        Description = "role(s) to grant: user, operator, admin (repeat the option or separate with commas)",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result =>
        {
            var roles = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.Ordinal).ToArray();
            var unknown = roles.Where(r => !KnownRoles.Contains(r)).ToList();
            if (unknown.Count > 0) result.AddError($"--role: unknown role(s) {string.Join(", ", unknown)}; known: {string.Join(", ", KnownRoles)}");
            return roles;
        },
    };

    private static Command Token()
    {
        var roles = Roles();
        var user = new Option<string?>("--user") { Description = "the token's subject: the user a user-role token acts for; a name for an operator or admin" };
        var expires = new Option<TimeSpan>("--expires")
        {
            Description = "lifetime, e.g. 90s, 30m, 1h, 7d (at most 30d)",
            DefaultValueFactory = _ => TimeSpan.FromHours(1),
            CustomParser = result => ParseLifetime(result.Tokens.Count == 1 ? result.Tokens[0].Value : "", result),
        };
        var keyFile = new Option<string>("--signing-key-file")
        {
            Description = $"file with the base64 HMAC key the silos trust (env ORLEANS_WALLET_SIGNING_KEY_FILE; default {RunSigningKeyFile}, the run script's)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANS_WALLET_SIGNING_KEY_FILE") ?? RunSigningKeyFile,
        };
        var issuer = new Option<string>("--issuer") { Description = "iss (the silos' Auth:Jwt:Issuer)", DefaultValueFactory = _ => "orleans-wallet" };
        var audience = new Option<string>("--audience") { Description = "aud (the silos' Auth:Jwt:Audience)", DefaultValueFactory = _ => "orleans-wallet-api" };

        var issue = new Command("issue", "print a signed token (JWT) for a local or test cluster") { roles, user, expires, keyFile, issuer, audience };
        issue.SetAction(r =>
        {
            var granted = r.GetValue(roles)!;
            var subject = r.GetValue(user);
            if (granted.Contains("user") && string.IsNullOrWhiteSpace(subject))
            {
                Console.Error.WriteLine("--user is required for a token with the user role (it is the only wallet the token may act on)");
                return 2;
            }
            subject = string.IsNullOrWhiteSpace(subject) ? "local-" + string.Join("-", granted) : subject;
            var path = r.GetValue(keyFile)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"--signing-key-file: '{path}' does not exist (the run script writes {RunSigningKeyFile}; " +
                                        "for another cluster give the key its silos trust)");
                return 2;
            }
            byte[] key;
            try { key = Convert.FromBase64String(File.ReadAllText(path).Trim()); }
            catch (FormatException)
            {
                Console.Error.WriteLine($"--signing-key-file: '{path}' does not hold a base64 key");
                return 2;
            }
            var now = DateTime.UtcNow;
            var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = r.GetValue(issuer),
                Audience = r.GetValue(audience),
                IssuedAt = now,
                NotBefore = now,
                Expires = now + r.GetValue(expires),
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = subject,
                    ["role"] = granted.Length == 1 ? granted[0] : granted,
                    ["jti"] = Guid.NewGuid().ToString("N"),
                },
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
            });
            Console.WriteLine(token);
            return 0;
        });
        var command = new Command("token", "credentials for a local run: token issue");
        command.Subcommands.Add(issue);
        return command;
    }

    private static Command ApiKey()
    {
        var id = new Option<string>("--id") { Description = "the key's name (letters, digits, '-'), e.g. deposit-indexer", Required = true };
        var roles = Roles();
        var user = new Option<string?>("--user") { Description = "the user a user-role key acts for" };
        var index = new Option<int>("--index") { Description = "N in Auth__ApiKeys__N__* of the printed settings", DefaultValueFactory = _ => 0 };
        var create = new Command("create", "make a new API key: prints the key (once) and the settings the silos need (its hash only)")
        {
            id, roles, user, index,
        };
        create.SetAction(r =>
        {
            var name = r.GetValue(id)!;
            if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                Console.Error.WriteLine("--id: 1-64 letters, digits or '-'");
                return 2;
            }
            var granted = r.GetValue(roles)!;
            var userId = r.GetValue(user);
            if (granted.Contains("user") && string.IsNullOrWhiteSpace(userId))
            {
                Console.Error.WriteLine("--user is required for a key with the user role");
                return 2;
            }
            var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            var salt = RandomNumberGenerator.GetBytes(16);
            var secretBytes = System.Text.Encoding.UTF8.GetBytes(secret);
            var hash = SHA256.HashData([.. salt, .. secretBytes]);
            var n = r.GetValue(index).ToString(CultureInfo.InvariantCulture);
            Console.WriteLine("# The key: give it to the service (x-api-key header, --api-key, ORLEANS_WALLET_API_KEY). It is not kept anywhere.");
            Console.WriteLine($"{name}.{secret}");
            Console.WriteLine("# Silo settings (environment, or a Secret): only the salted hash.");
            Console.WriteLine($"Auth__ApiKeys__{n}__Id={name}");
            Console.WriteLine($"Auth__ApiKeys__{n}__SecretHash=sha256:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}");
            for (var i = 0; i < granted.Length; i++) Console.WriteLine($"Auth__ApiKeys__{n}__Roles__{i}={granted[i]}");
            if (!string.IsNullOrWhiteSpace(userId)) Console.WriteLine($"Auth__ApiKeys__{n}__UserId={userId}");
            return 0;
        });
        var command = new Command("apikey", "API keys for services: apikey create");
        command.Subcommands.Add(create);
        return command;
    }

    private static TimeSpan ParseLifetime(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        TimeSpan value = default;
        var ok = text.Length >= 2 && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1_000_000
            && (text[^1] switch
            {
                's' => Try(TimeSpan.FromSeconds(n), out value),
                'm' => Try(TimeSpan.FromMinutes(n), out value),
                'h' => Try(TimeSpan.FromHours(n), out value),
                'd' => Try(TimeSpan.FromDays(Math.Min(n, 365)), out value),
                _ => false,
            });
        if (!ok && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var exact) && exact > TimeSpan.Zero) (ok, value) = (true, exact);
        if (!ok) result.AddError($"--expires: '{text}' is not a lifetime like 90s, 30m, 1h or 7d");
        else if (value > TokenLifetimeMax) result.AddError($"--expires: at most {TokenLifetimeMax.TotalDays:0} days (use an API key for a long-lived service credential)");
        return value;
    }

    private static bool Try(TimeSpan span, out TimeSpan value)
    {
        value = span;
        return true;
    }
}
