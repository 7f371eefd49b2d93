using System.CommandLine;

namespace OrleansWallet.Cli.Commands;

internal static class BenchTableCommand
{
    public static Command Create() => new("table", "print the benchmark table of a folder of results");
}
