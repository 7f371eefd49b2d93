using System.CommandLine;
using OrleansWallet.Cli;
using OrleansWallet.Cli.Commands;

var root = new RootCommand("OrleansWallet command-line tool: balances, deposits, withdrawals, transfers, orders, demo");
root.Options.Add(CliOptions.Endpoint);
foreach (var command in WalletCommands.All()) root.Subcommands.Add(command);
root.Subcommands.Add(OrderCommands.Create());
root.Subcommands.Add(DemoCommand.Create());
foreach (var command in LedgerCommands.All()) root.Subcommands.Add(command);
root.Subcommands.Add(LoadCommand.Create());
return await root.Parse(args).InvokeAsync();
