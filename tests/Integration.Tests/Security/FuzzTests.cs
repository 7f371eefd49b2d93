using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Npgsql;
using Xunit.Abstractions;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Thousands of random and boundary requests against every method of the real silo, signed (by
/// every kind of caller) and unsigned (no, malformed, expired, forged credentials), plus raw
/// protobuf bytes no client would send. Asserts: no Internal or Unknown status, the silo process
/// alive and serving, nothing changed (watched wallets, orders, withdrawals, journal, reference
/// data, grain state keys), and no credential in the silo's log. Deterministic for a seed
/// (FUZZ_SEED, printed); FUZZ_REQUESTS sets the count.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class FuzzTests(SecurityFixture fixture, ITestOutputHelper output)
{
    private const int DefaultSeed = 20261130;
    private const int DefaultRequests = 6_000;
    private const int Workers = 4;

    /// <summary>A tenth of the requests are raw bytes.</summary>
    private const int RawShareDivisor = 10;

    private static readonly string[] WalletMethods =
        ["GetBalances", "GetBalancesBatch", "ListAssets", "CreditDeposit", "RequestWithdrawal", "CompleteWithdrawal", "FailWithdrawal", "Transfer", "SubmitBatch"];
    private static readonly string[] OrderMethods = ["PlaceOrder", "FillOrder", "CancelOrder", "GetOrder", "ListOrders", "WatchOrderEvents"];
    private static readonly string[] LedgerMethods = ["GetHistory", "Reconcile", "GetLedgerStatus", "UpsertUser", "SetTierLimit", "AddToAllowlist"];

    /// <summary>Methods with no field to poison: any authorized caller gets OK (neither changes a balance).</summary>
    private static readonly HashSet<string> FieldlessMethods = ["ListAssets", "Reconcile"];

    private static readonly StatusCode[] Crashes = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss, StatusCode.Unimplemented];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    private enum CallerKind { Unauthenticated, NoWalletOfItsOwn, Privileged }

    private sealed record FuzzCaller(string Name, CallerKind Kind, CallInvoker Invoker);

    [Fact]
    public async Task Random_and_boundary_requests_crash_nothing_and_change_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var total = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_REQUESTS"), out var n) ? n : DefaultRequests;
        output.WriteLine($"fuzz seed {seed} (FUZZ_SEED={seed} repeats this run), {total} requests");

        var (users, orders, withdrawals) = await SetUpWatchedWalletsAsync();
        var credentials = fixture.Cluster.Credentials;
        var secrets = new List<string>
        {
            credentials.SigningKeyBase64, credentials.ServiceKeySecret, credentials.OperatorToken(), credentials.UserToken("fuzz-self"),
        };
        using var channel = GrpcChannel.ForAddress(fixture.Cluster.Silos[0].GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        var callers = Callers(channel, secrets);

        await fixture.Admin.Ledger.ReconcileAsync(); // every outbox flushed: nothing moves in the background now
        var before = await SnapshotAsync(users, orders);

        var statuses = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed + worker);
            var fuzzer = new ApiFuzzer(random, users, orders, withdrawals);
            for (var i = worker; i < total; i += Workers)
            {
                var (label, outcome, failure) = i % RawShareDivisor == 0
                    ? await RawCallAsync(fuzzer, callers)
                    : await StructuredCallAsync(fuzzer, callers);
                statuses.AddOrUpdate(outcome.Status.ToString(), 1, (_, c) => c + 1);
                if (Crashes.Contains(outcome.Status)) failure ??= $"{outcome.Status} is a crash";
                if (failure is not null) failures.Enqueue($"#{i} {label}: {outcome} ({failure})");
            }
        })));
        watch.Stop();

        var summary = string.Join(", ", statuses.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"));
        output.WriteLine($"{total} requests in {watch.Elapsed.TotalSeconds:F1} s: {summary}");
        output.WriteLine($"Internal: {statuses.GetValueOrDefault("Internal")}, Unknown: {statuses.GetValueOrDefault("Unknown")}, failures: {failures.Count}");
        foreach (var failure in failures.Take(30)) output.WriteLine(failure);

        Assert.Equal(total, statuses.Values.Sum());
        Assert.Empty(failures);

        var silo = fixture.Cluster.Silos[0];
        Assert.False(silo.HasExited, "the silo process died");
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        await fixture.Admin.Ledger.ReconcileAsync();
        var after = await SnapshotAsync(users, orders);
        if (after != before)
        {
            var changed = after.Split('\n').Except(before.Split('\n')).ToList();
            output.WriteLine("changed lines:\n" + string.Join("\n", changed));
            output.WriteLine("were:\n" + string.Join("\n", before.Split('\n').Except(after.Split('\n'))));
        }
        Assert.Equal(before, after);

        foreach (var secret in secrets) Assert.DoesNotContain(secret, silo.Output);
    }

    private async Task<(string Label, CallOutcome Outcome, string? Failure)> StructuredCallAsync(ApiFuzzer fuzzer, IReadOnlyList<FuzzCaller> callers)
    {
        var random = fuzzer.Random;
        var method = AllMethods[random.Next(AllMethods.Length)];
        var valid = random.Next(3) == 0;
        // Valid requests aimed at the watched users go only to callers who may not make them.
        // Poisoned requests go mostly to privileged callers, who get past authorization to validation.
        var kind = valid
            ? (random.Next(2) == 0 ? CallerKind.Unauthenticated : CallerKind.NoWalletOfItsOwn)
            : random.Next(4) switch { 0 => CallerKind.Unauthenticated, 1 => CallerKind.NoWalletOfItsOwn, _ => CallerKind.Privileged };
        var eligible = callers.Where(c => c.Kind == kind).ToList();
        var caller = eligible[random.Next(eligible.Count)];
        var request = fuzzer.Request(method, valid ? ApiFuzzer.Mode.Valid : ApiFuzzer.Mode.Poisoned);
        var outcome = await InvokeAsync(caller.Invoker, method, request.ToByteArray());
        var label = $"{method} {(valid ? "valid" : "poisoned")} as {caller.Name}";

        string? failure = null;
        if (caller.Kind == CallerKind.Unauthenticated)
        {
            if (outcome.Status != StatusCode.Unauthenticated && outcome.Status != StatusCode.ResourceExhausted)
                failure = "an unauthenticated call must be refused with Unauthenticated";
        }
        else if (valid && !FieldlessMethods.Contains(method))
        {
            if (method == "SubmitBatch" ? outcome.Status != StatusCode.OK || !outcome.Detail.Contains("permission_denied") : outcome.Status != StatusCode.PermissionDenied)
                failure = "a call on another user's wallet must be refused with PermissionDenied";
        }
        else if (outcome.Status == StatusCode.OK && method == "SubmitBatch")
        {
            if (outcome.Detail["batch: ".Length..].Split(',').Contains("ok")) failure = "a batch operation with an invalid field succeeded";
        }
        else if (outcome.Status == StatusCode.OK && !FieldlessMethods.Contains(method))
        {
            failure = "a request with an invalid field succeeded";
        }
        return (label, outcome, failure);
    }

    private async Task<(string Label, CallOutcome Outcome, string? Failure)> RawCallAsync(ApiFuzzer fuzzer, IReadOnlyList<FuzzCaller> callers)
    {
        var random = fuzzer.Random;
        var method = AllMethods[random.Next(AllMethods.Length)];
        var caller = callers[random.Next(callers.Count)];
        var bytes = fuzzer.RawBytes();
        var outcome = await InvokeAsync(caller.Invoker, method, bytes);
        return ($"{method} raw {bytes.Length} bytes as {caller.Name}", outcome, null);
    }

    private static readonly string[] AllMethods = [.. WalletMethods, .. OrderMethods, .. LedgerMethods];

    /// <summary>
    /// Sends the bytes as the method's request. A batch answers OK with per-operation statuses:
    /// its detail then reads "batch: …" with each operation's reason. A watch that stays open is "stream open".
    /// </summary>
    private static async Task<CallOutcome> InvokeAsync(CallInvoker invoker, string method, byte[] request)
    {
        var service = WalletMethods.Contains(method) ? "orleanswallet.v1.WalletService"
            : OrderMethods.Contains(method) ? "orleanswallet.v1.OrderService"
            : "orleanswallet.ledger.v1.LedgerService";
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        if (method == "WatchOrderEvents")
        {
            using var cancel = new CancellationTokenSource();
            var definition = new Method<byte[], byte[]>(MethodType.ServerStreaming, service, method, Raw, Raw);
            using var call = invoker.AsyncServerStreamingCall(definition, null, options.WithCancellationToken(cancel.Token), request);
            var watched = await CallOutcome.Of(async () =>
            {
                await call.ResponseHeadersAsync;
                var next = call.ResponseStream.MoveNext(cancel.Token);
                if (await Task.WhenAny(next, Task.Delay(200)) == next) await next; // ended at once: the refusal
                cancel.Cancel();
                try { await next; }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
            });
            return watched.Status == StatusCode.OK ? new CallOutcome(StatusCode.OK, null, "stream open") : watched;
        }
        var unary = new Method<byte[], byte[]>(MethodType.Unary, service, method, Raw, Raw);
        byte[]? reply = null;
        var outcome = await CallOutcome.Of(async () => reply = await invoker.AsyncUnaryCall(unary, null, options, request));
        if (outcome.Status == StatusCode.OK && method == "SubmitBatch" && reply is not null)
        {
            var results = Api.V1.SubmitBatchReply.Parser.ParseFrom(reply).Results;
            if (results.Any(r => Crashes.Contains((StatusCode)r.Status)))
                return new CallOutcome(StatusCode.Internal, "batch item", string.Join(",", results.Select(r => r.Reason)));
            return new CallOutcome(StatusCode.OK, null, "batch: " + string.Join(",", results.Select(r => r.Status == 0 ? "ok" : r.Reason)));
        }
        return outcome;
    }

    private IReadOnlyList<FuzzCaller> Callers(GrpcChannel channel, ICollection<string> secrets)
    {
        var credentials = fixture.Cluster.Credentials;
        var otherKey = RandomNumberGenerator.GetBytes(32);
        var forged = credentials.Issue(TestCredentials.TestOperator, ["operator", "admin"], signingKey: otherKey);
        var expired = credentials.Issue(TestCredentials.TestOperator, ["operator", "admin"], lifetime: TimeSpan.FromMinutes(5),
            notBefore: DateTime.UtcNow.AddHours(-2));
        var wrongAudience = credentials.Issue(TestCredentials.TestOperator, ["operator", "admin"], audience: "someone-else");
        var wrongIssuer = credentials.Issue(TestCredentials.TestOperator, ["operator", "admin"], issuer: "someone-else");
        var unsigned = Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
                       Base64Url($"{{\"sub\":\"x\",\"role\":[\"operator\",\"admin\"],\"iss\":\"{TestCredentials.Issuer}\",\"aud\":\"{TestCredentials.Audience}\",\"exp\":{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}") + ".";
        var userToken = credentials.UserToken("fuzz-self");
        foreach (var token in new[] { forged, expired, wrongAudience, wrongIssuer, userToken }) secrets.Add(token);

        FuzzCaller With(string name, CallerKind kind, string header, string value) =>
            new(name, kind, channel.CreateCallInvoker().Intercept(h => { h.Add(header, value); return h; }));
        return
        [
            new("anonymous", CallerKind.Unauthenticated, channel.CreateCallInvoker()),
            With("garbage bearer", CallerKind.Unauthenticated, "authorization", "Bearer " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(40))),
            With("basic scheme", CallerKind.Unauthenticated, "authorization", "Basic dXNlcjpwYXNz"),
            With("forged token", CallerKind.Unauthenticated, "authorization", "Bearer " + forged),
            With("expired token", CallerKind.Unauthenticated, "authorization", "Bearer " + expired),
            With("wrong audience", CallerKind.Unauthenticated, "authorization", "Bearer " + wrongAudience),
            With("wrong issuer", CallerKind.Unauthenticated, "authorization", "Bearer " + wrongIssuer),
            With("alg none", CallerKind.Unauthenticated, "authorization", "Bearer " + unsigned),
            With("garbage api key", CallerKind.Unauthenticated, "x-api-key", "garbage"),
            With("wrong api secret", CallerKind.Unauthenticated, "x-api-key", $"{TestCredentials.ServiceKeyId}.{Base64Url("wrong")}"),
            With("unknown api key", CallerKind.Unauthenticated, "x-api-key", "nobody." + Base64Url("secret")),
            With("user fuzz-self", CallerKind.NoWalletOfItsOwn, "authorization", "Bearer " + userToken),
            With("roleless", CallerKind.NoWalletOfItsOwn, "authorization", "Bearer " + credentials.Issue("roleless", [])),
            With("operator+admin", CallerKind.Privileged, "authorization", "Bearer " + credentials.OperatorToken()),
            With("admin", CallerKind.Privileged, "authorization", "Bearer " + credentials.Issue("fuzz-admin", ["admin"])),
            With("service key", CallerKind.Privileged, "x-api-key", credentials.ServiceApiKey),
        ];
    }

    private static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Three users with money, open orders and pending withdrawals, journaled.</summary>
    private async Task<(string[] Users, string[] Orders, string[] Withdrawals)> SetUpWatchedWalletsAsync()
    {
        var admin = fixture.Admin;
        var users = Enumerable.Range(0, 3).Select(i => Ids.User($"watched{i}")).ToArray();
        var orders = users.Select(u => "order-" + u).ToArray();
        var withdrawals = users.Select(u => "w-" + u).ToArray();
        await WithdrawalSetup.AllowWithdrawalsAsync(admin, users);
        for (var i = 0; i < users.Length; i++)
        {
            await admin.Wallets.CreditDepositAsync(users[i], "ETH", 1_000_000, "0xfuzz:" + users[i]);
            await admin.Wallets.CreditDepositAsync(users[i], "USDC", 5_000, "0xfuzz-usdc:" + users[i]);
            await admin.Orders.PlaceAsync(orders[i], users[i], "ETH", 1_000, "USDC", 1_000);
            await admin.Wallets.RequestWithdrawalAsync(users[i], withdrawals[i], "ETH", 100, WithdrawalSetup.EthereumAddress);
        }
        await Journaled.WaitAsync(admin, users);
        return (users, orders, withdrawals);
    }

    /// <summary>The watched users' state, every Postgres table's row count, and the grain-state keys in Redis.</summary>
    private async Task<string> SnapshotAsync(string[] users, string[] orders)
    {
        var text = new StringBuilder(await WalletSnapshot.TakeAsync(fixture, users, orders, tier: 3));
        await using (var db = await fixture.OpenLedgerDatabaseAsync())
        {
            foreach (var table in new[] { "users", "tier_limits", "user_limit_overrides", "withdrawal_allowlist", "withdrawals", "ledger_entries", "assets" })
            {
                await using var count = new NpgsqlCommand($"select count(*) from {table}", db);
                text.AppendLine($"{table}: {await count.ExecuteScalarAsync()} rows");
            }
        }
        text.AppendLine($"grain state keys:\n{string.Join("\n", await GrainStateKeysAsync())}");
        return text.ToString();
    }

    /// <summary>
    /// Redis keys of grain state, membership and reminders. Left out: the reference-data cache
    /// (reads fill it) and the wallet directory's shards: a request refused inside a wallet grain
    /// (a withdrawal of a well-formed but unknown user, say) activates that wallet, and every
    /// activation registers the wallet id in the reconcile directory. That registers an empty
    /// wallet; it moves no money and writes no journal, order or wallet state.
    /// </summary>
    private async Task<IEnumerable<string>> GrainStateKeysAsync()
    {
        var info = new ProcessStartInfo(ServiceBinaries.Find("redis-cli"))
        {
            ArgumentList = { "-p", fixture.Cluster.Redis.Port.ToString(), "--scan" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var keys = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(k => !k.StartsWith("ow:ledger:", StringComparison.Ordinal) && !k.Contains("/state/walletdirectory/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
    }
}
