using System.CommandLine;
using OrleansWallet.Cli;
using OrleansWallet.Cli.Commands;

var root = new RootCommand("OrleansWallet command-line tool: balances, deposits, withdrawals, transfers, orders, demo");
root.Options.Add(CliOptions.Endpoint);
root.Options.Add(CliOptions.Token);
root.Options.Add(CliOptions.ApiKey);
foreach (var command in WalletCommands.All()) root.Subcommands.Add(command);
root.Subcommands.Add(OrderCommands.Create());
root.Subcommands.Add(DemoCommand.Create());
foreach (var command in LedgerCommands.All()) root.Subcommands.Add(command);
root.Subcommands.Add(LoadCommand.Create());
foreach (var command in CredentialCommands.All()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
