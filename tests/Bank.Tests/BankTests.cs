using Xunit.Abstractions;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// Issue #8's bank test. With no BANK_* variables set this is the short run of the test command
/// (50 clients, 40 users, each fault once); scripts/bank.sh sets them for the long run. The
/// summary is written to TestResults/bank/ and to the test output.
/// </summary>
public sealed class BankTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Concurrent_clients_under_injected_faults_lose_no_money_and_every_promise_holds()
    {
        var settings = BankSettings.FromEnvironment();
        output.WriteLine($"bank run {settings}");
        var result = await new BankRun(settings).RunAsync();
        output.WriteLine(result.Summary);
        output.WriteLine($"report: {result.ReportPath}");
        Assert.True(result.ViolationCount == 0,
            $"{result.ViolationCount} violations (seed {settings.Seed}; report {result.ReportPath}):\n" +
            string.Join("\n", result.Violations.Take(40)));
    }
}
