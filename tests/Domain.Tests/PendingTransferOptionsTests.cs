using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Domain.Tests;

public class PendingTransferOptionsTests
{
    private static IOptions<PendingTransferOptions> Bound(Action<PendingTransferOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddOptions<PendingTransferOptions>().Configure(configure).ValidateDataAnnotations();
        return services.BuildServiceProvider().GetRequiredService<IOptions<PendingTransferOptions>>();
    }

    [Fact]
    public void Defaults_are_the_documented_ones_and_valid()
    {
        var options = Bound(_ => { }).Value;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), 500, 16),
            (options.SweepInterval, options.Grace, options.BatchSize, options.Concurrency));
    }

    [Theory]
    [InlineData("SweepInterval", "Wallet:PendingTransfers:SweepInterval")]
    [InlineData("Grace", "Wallet:PendingTransfers:Grace")]
    [InlineData("BatchSize", "Wallet:PendingTransfers:BatchSize")]
    [InlineData("Concurrency", "Wallet:PendingTransfers:Concurrency")]
    public void A_bad_value_is_refused_naming_the_setting(string field, string setting)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bound(o =>
        {
            switch (field)
            {
                case "SweepInterval": o.SweepInterval = TimeSpan.Zero; break;
                case "Grace": o.Grace = TimeSpan.FromSeconds(-1); break;
                case "BatchSize": o.BatchSize = 0; break;
                case "Concurrency": o.Concurrency = 0; break;
            }
        }).Value);
        Assert.Contains(setting, failure.Message);
    }

    [Fact]
    public void A_wallet_s_shard_is_stable_and_the_shards_are_all_used()
    {
        // Fixed across processes and versions: a wallet in the index must be found in the same shard later.
        Assert.Equal(PendingTransferIndex.ShardOf("alice"), PendingTransferIndex.ShardOf("alice"));
        Assert.Equal(12, PendingTransferIndex.ShardOf("a")); // FNV-1a("a") = 0xe40c292c
        var shards = Enumerable.Range(0, 1_000).Select(i => PendingTransferIndex.ShardOf($"user-{i}")).ToList();
        Assert.All(shards, s => Assert.InRange(s, 0, PendingTransferIndex.ShardCount - 1));
        Assert.Equal(PendingTransferIndex.ShardCount, shards.Distinct().Count());
    }
}
