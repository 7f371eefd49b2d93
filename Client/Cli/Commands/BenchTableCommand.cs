using System.CommandLine;
using OrleansWallet.Cli.Load;

namespace OrleansWallet.Cli.Commands;

/// <summary><c>load table --dir D [--write FILE]</c>: the benchmark table of a folder of bench.sh results.</summary>
internal static class BenchTableCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "folder of one bench run's results (pgbench.json, reconcile.tsv, the load results)", Required = true };
        var write = new Option<string?>("--write") { Description = "also write the table (markdown) to this file" };
        var table = new Command("table", "print the benchmark table (markdown) of a folder of scripts/bench.sh results") { dir, write };
        table.SetAction(async (r, _) =>
        {
            var directory = r.GetValue(dir)!;
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"--dir: '{directory}' is not a folder");
                return LoadCommand.InvalidOptionsExitCode;
            }
            var (markdown, _) = BenchTable.Build(directory);
            Console.Write(markdown);
            if (r.GetValue(write) is { } path) await File.WriteAllTextAsync(path, markdown);
            return 0;
        });
        return table;
    }
}
