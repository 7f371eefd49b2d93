namespace OrleansWallet.Cli.Tests;

public sealed class OperationMixTests
{
    [Fact]
    public void Parses_weights_and_picks_by_cumulative_weight()
    {
        Assert.True(OperationMix.TryParse("deposit=40, transfer=40,order=10,read=10", "--mix", out var mix, out var error), error);
        Assert.Equal(100, mix!.TotalWeight);
        Assert.Equal(MixOperation.Deposit, mix.Pick(0));
        Assert.Equal(MixOperation.Deposit, mix.Pick(39));
        Assert.Equal(MixOperation.Transfer, mix.Pick(40));
        Assert.Equal(MixOperation.Order, mix.Pick(80));
        Assert.Equal(MixOperation.Read, mix.Pick(99));
        Assert.Equal(0.4, mix.Share(MixOperation.Transfer), 6);
        Assert.Equal("deposit=40,transfer=40,order=10,read=10", mix.ToString());
    }

    [Fact]
    public void A_bare_name_weighs_one_and_zero_weights_drop_out()
    {
        Assert.True(OperationMix.TryParse("Deposit,read=0", "--mix", out var mix, out _));
        Assert.Equal([MixOperation.Deposit], mix!.Operations);
        for (var draw = 0; draw < mix.TotalWeight; draw++) Assert.Equal(MixOperation.Deposit, mix.Pick(draw));
    }

    [Fact]
    public void Random_picks_follow_the_weights()
    {
        Assert.True(OperationMix.TryParse("deposit=3,read=1", "--mix", out var mix, out _));
        var random = new Random(42);
        var deposits = 0;
        for (var i = 0; i < 40_000; i++)
            if (mix!.Pick(random) == MixOperation.Deposit) deposits++;
        Assert.InRange(deposits, 29_400, 30_600);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("deposit=40,withdraw=10", "unknown operation 'withdraw'")]
    [InlineData("deposit=-1", "weight '-1' of deposit")]
    [InlineData("deposit=x", "weight 'x' of deposit")]
    [InlineData("deposit=1,deposit=2", "deposit is given twice")]
    [InlineData("deposit=0,read=0", "every weight is 0")]
    [InlineData("deposit=1,,read=1", "empty entry")]
    [InlineData("1=5", "unknown operation '1'")]
    public void Bad_mixes_are_refused_with_a_message_naming_the_option(string text, string expected)
    {
        Assert.False(OperationMix.TryParse(text, "--mix", out var mix, out var error));
        Assert.Null(mix);
        Assert.StartsWith("--mix: ", error);
        Assert.Contains(expected, error);
    }
}
