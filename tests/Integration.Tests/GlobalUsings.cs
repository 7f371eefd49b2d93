global using Xunit;
global using OrleansWallet.TestSupport;

// Each fixture runs real silo processes; on 2 cores, test classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
