using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWallet.Common.PendingWork;
using OrleansWallet.Orders.PendingWork;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Domain.Tests;

public class PendingWorkOptionsTests
{
    private static T Bound<T>(Action<T> configure) where T : PendingWorkOptions
    {
        var services = new ServiceCollection();
        services.AddOptions<T>().Configure(configure).ValidateDataAnnotations();
        return services.BuildServiceProvider().GetRequiredService<IOptions<T>>().Value;
    }

    private static PendingWorkOptions Bound(string section, Action<PendingWorkOptions> configure) => section switch
    {
        PendingTransferOptions.Section => Bound<PendingTransferOptions>(configure),
        PendingOrderOptions.Section => Bound<PendingOrderOptions>(configure),
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };

    [Theory]
    [InlineData(PendingTransferOptions.Section)]
    [InlineData(PendingOrderOptions.Section)]
    public void Defaults_are_the_documented_ones_and_valid(string section)
    {
        var options = Bound(section, _ => { });
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), 500, 16),
            (options.SweepInterval, options.Grace, options.BatchSize, options.Concurrency));
    }

    [Theory]
    [InlineData(PendingTransferOptions.Section, "SweepInterval")]
    [InlineData(PendingTransferOptions.Section, "Grace")]
    [InlineData(PendingTransferOptions.Section, "BatchSize")]
    [InlineData(PendingTransferOptions.Section, "Concurrency")]
    [InlineData(PendingOrderOptions.Section, "SweepInterval")]
    [InlineData(PendingOrderOptions.Section, "Grace")]
    [InlineData(PendingOrderOptions.Section, "BatchSize")]
    [InlineData(PendingOrderOptions.Section, "Concurrency")]
    public void A_bad_value_is_refused_naming_the_setting(string section, string field)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bound(section, o =>
        {
            switch (field)
            {
                case "SweepInterval": o.SweepInterval = TimeSpan.Zero; break;
                case "Grace": o.Grace = TimeSpan.FromSeconds(-1); break;
                case "BatchSize": o.BatchSize = 0; break;
                case "Concurrency": o.Concurrency = 1_001; break;
            }
        }));
        Assert.Contains($"{section}:{field}", failure.Message);
    }

    [Fact]
    public void A_grain_s_shard_is_stable_and_the_shards_are_all_used()
    {
        // Fixed across processes and versions: a grain in an index must be found in the same shard later.
        Assert.Equal(PendingWorkIndex.ShardOf("alice"), PendingWorkIndex.ShardOf("alice"));
        Assert.Equal(12, PendingWorkIndex.ShardOf("a")); // FNV-1a("a") = 0xe40c292c
        var shards = Enumerable.Range(0, 1_000).Select(i => PendingWorkIndex.ShardOf($"user-{i}")).ToList();
        Assert.All(shards, s => Assert.InRange(s, 0, PendingWorkIndex.ShardCount - 1));
        Assert.Equal(PendingWorkIndex.ShardCount, shards.Distinct().Count());
    }
}
