global using Xunit;
global using OrleansWallet.Cli.Load;
global using OrleansWallet.TestSupport;

// The end-to-end test runs real silo processes; on 2 cores, test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
