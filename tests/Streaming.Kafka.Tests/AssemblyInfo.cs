// Silos, mock brokers and timing assertions share 2 cores; running test classes in parallel would
// make the timing-bound tests flaky.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
