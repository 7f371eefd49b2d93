global using Xunit;
global using OrleansWallet.TestSupport;
// SiloProcess, linked from tests/Integration.Tests.
global using OrleansWallet.Integration.Tests;

// One bank run at a time: it owns both cores while it runs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
