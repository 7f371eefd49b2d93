using System.CommandLine;
using OrleansWallet.Cli.Commands;

namespace OrleansWallet.Cli.Tests;

public sealed class LoadOptionsTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:5001");

    [Fact]
    public void Defaults_are_valid()
    {
        var options = new LoadOptions { Endpoints = [Endpoint] };
        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(30), options.EffectiveDuration);
        Assert.Null(options.EffectiveOperations);
        Assert.StartsWith("lg-", options.EffectiveUserPrefix);
    }

    [Fact]
    public void Endurance_is_sized_by_operations_unless_told_otherwise()
    {
        var options = new LoadOptions { Endpoints = [Endpoint], Scenario = LoadScenario.Endurance };
        Assert.Equal(1_000_000, options.EffectiveOperations);
        Assert.Equal(TimeSpan.MaxValue, options.EffectiveDuration);
        var capped = new LoadOptions { Endpoints = [Endpoint], Scenario = LoadScenario.Endurance, Duration = TimeSpan.FromMinutes(5), Operations = 5_000 };
        Assert.Equal(5_000, capped.EffectiveOperations);
        Assert.Equal(TimeSpan.FromMinutes(5), capped.EffectiveDuration);
    }

    public static TheoryData<LoadOptions, string> Invalid => new()
    {
        { new LoadOptions { Endpoints = [] }, "--endpoint:" },
        { new LoadOptions { Endpoints = [Endpoint], Users = 1 }, "--users: 1 is outside 2..10,000,000" },
        { new LoadOptions { Endpoints = [Endpoint], Concurrency = 0 }, "--concurrency:" },
        { new LoadOptions { Endpoints = [Endpoint], Rate = 0 }, "--rate:" },
        { new LoadOptions { Endpoints = [Endpoint], Batch = 1_001 }, "--batch: 1001 is outside 1..1,000" },
        { new LoadOptions { Endpoints = [Endpoint], ReadBatch = 0 }, "--read-batch:" },
        { new LoadOptions { Endpoints = [Endpoint], ReplayFraction = 1.5 }, "--replay-fraction:" },
        { new LoadOptions { Endpoints = [Endpoint], OrderFillAllFraction = -0.1 }, "--order-fill-all-fraction:" },
        { new LoadOptions { Endpoints = [Endpoint], MixText = "swap=1" }, "--mix: unknown operation 'swap'" },
        { new LoadOptions { Endpoints = [Endpoint], UserPrefix = "bad prefix" }, "--user-prefix:" },
        { new LoadOptions { Endpoints = [Endpoint], RunId = "a/b" }, "--run-id:" },
        { new LoadOptions { Endpoints = [Endpoint], MaxAttempts = 6 }, "--max-attempts: 6 is outside 1..5" },
        { new LoadOptions { Endpoints = [Endpoint], Duration = TimeSpan.Zero }, "--duration:" },
        { new LoadOptions { Endpoints = [Endpoint], Operations = 0 }, "--operations:" },
        { new LoadOptions { Endpoints = [Endpoint], Scenario = LoadScenario.Ramp }, "--rate: the ramp scenario needs a starting rate" },
        { new LoadOptions { Endpoints = [Endpoint], Scenario = LoadScenario.Ramp, Rate = 10, RampStepFactor = 1.0 }, "--ramp-step:" },
        { new LoadOptions { Endpoints = [Endpoint], FundAmount = 0 }, "--fund-amount:" },
        { new LoadOptions { Endpoints = [Endpoint], SiloPids = [0] }, "--silo-pid:" },
        { new LoadOptions { Endpoints = [new Uri("ftp://x/")] }, "--endpoints: 'ftp://x/'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_problem_is_reported_naming_its_option(LoadOptions options, string expected)
    {
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal) || e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1.5s", 1.5)]
    [InlineData("45", 45)]
    public void Durations_take_a_unit_or_mean_seconds(string text, double seconds)
    {
        Assert.True(LoadOptions.TryParseDuration(text, out var duration));
        Assert.Equal(seconds, duration.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5s")]
    [InlineData("5d")]
    public void Bad_durations_are_refused(string text) => Assert.False(LoadOptions.TryParseDuration(text, out _));

    [Fact]
    public void The_command_reads_every_option_and_names_each_bad_one()
    {
        var (options, errors) = Read("--endpoint", "http://127.0.0.1:7000", "load", "--endpoints", "http://127.0.0.1:7000,http://127.0.0.1:7001",
            "--users", "500", "--mix", "deposit=1,read=3", "--rate", "250", "--duration", "2m", "--warmup", "500ms", "--batch", "10",
            "--scenario", "ramp", "--ramp-step", "1.5", "--silo-pid", "11", "--silo-pid", "12", "--seed", "7", "--run-id", "r1");
        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(2, options!.Endpoints.Count);
        Assert.Equal(500, options.Users);
        Assert.Equal(250, options.Rate);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(LoadScenario.Ramp, options.Scenario);
        Assert.Equal([11, 12], options.SiloPids);
        Assert.Equal("r1", options.RunId);
        Assert.Equal("lg-r1", options.EffectiveUserPrefix);

        var (bad, messages) = Read("load", "--endpoints", "nope", "--duration", "soon", "--scenario", "spike", "--setup", "maybe",
            "--fund-amount", "1e18", "--users", "1");
        Assert.Null(bad);
        Assert.Contains(messages, m => m.StartsWith("--endpoints: 'nope'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("--duration: 'soon' is not a duration", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("--scenario: 'spike'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("--setup: 'maybe'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("--fund-amount: '1e18'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("--users: 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_options_exit_2_before_anything_is_sent()
    {
        var root = new RootCommand { CliOptions.Endpoint };
        root.Subcommands.Add(LoadCommand.Create());
        var exit = await root.Parse(["--endpoint", "http://127.0.0.1:1", "load", "--users", "0"]).InvokeAsync();
        Assert.Equal(LoadCommand.InvalidOptionsExitCode, exit);
    }

    private static (LoadOptions? Options, IReadOnlyList<string> Errors) Read(params string[] args)
    {
        var root = new RootCommand { CliOptions.Endpoint };
        var load = LoadCommand.Create();
        root.Subcommands.Add(load);
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        return LoadCommand.Read(parse);
    }
}
