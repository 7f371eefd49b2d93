using System.Numerics;
using System.Text;
using Google.Protobuf;
using OrleansWallet.Api.Ledger.V1;
using OrleansWallet.Api.V1;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Makes fuzz requests from a seeded <see cref="Random"/>: strings, amounts and numbers drawn
/// from random and boundary values (random unicode and bytes, over-long, negative, above 2^256,
/// missing). In <see cref="Mode.Poisoned"/> at least one field of each request is certainly
/// invalid, so no request can succeed and change anything whoever sends it; in
/// <see cref="Mode.Valid"/> every field is valid and aimed at the watched users, for callers who
/// may not do it.
/// </summary>
internal sealed class ApiFuzzer(Random random, IReadOnlyList<string> watchedUsers, IReadOnlyList<string> watchedOrders,
    IReadOnlyList<string> watchedWithdrawals)
{
    public enum Mode { Valid, Poisoned }

    private static readonly string[] Assets = ["ETH", "USDC", "BTC"];
    private static readonly string TwoTo256 = BigInteger.Pow(2, 256).ToString();
    private static readonly string TwoTo256Minus1 = (BigInteger.Pow(2, 256) - 1).ToString();

    public Random Random => random;

    // ---- values that are always refused, by field kind ----

    public string BadId() => Pick(
        "", " ", "a b", "ü", "用户", "\u0000", "\u202Eevil", "a\nb", "../etc/passwd", "'; drop table users; --", "{0}",
        new string('a', 129), new string('x', 5_000), RandomUnicode(1, 40, requireOutsideIdAlphabet: true));

    public string BadAmount(bool zeroAllowed = false) => Pick(
        "", "-1", "+1", "1.5", "1e18", " 1", "1 ", "0x10", "abc", "١٢٣", "１２３", "NaN", "-0", TwoTo256,
        new string('9', 100), new string('9', 10_000), "1,000", zeroAllowed ? "-5" : "0", RandomUnicode(1, 20, requireOutsideIdAlphabet: true) + "1");

    public string BadAsset() => Pick("", "DOGE", "eth", "ETH ", " ETH", "E\u0000TH", "ΕΤΗ", new string('E', 200), RandomUnicode(1, 10, true));

    /// <summary>KYC tiers are 0..9 (the schema's bound).</summary>
    public int BadTier() => Pick(-1, 10, 11, 1000, int.MinValue, int.MaxValue);

    public int BadPageSize() => Pick(-1, 501, 100_000, int.MinValue, int.MaxValue);

    public string BadChain() => Pick("", "solana", "ETHEREUM", "ethereum ", new string('c', 100), RandomUnicode(1, 10, true));

    public string BadAddress() => Pick("", new string('0', 1000), "\u0000", "0x" + new string('Z', 40));

    // ---- values drawn from everything: valid ones aimed at the watched users, and junk ----

    public string AnyUser() => Chance(0.5) ? Pick(watchedUsers.ToArray()) : Chance(0.5) ? BadId() : "fuzz-" + random.Next(1000);

    public string AnyKey() => Chance(0.6) ? "k-" + random.NextInt64() : BadId();

    public string AnyOrder() => Chance(0.5) ? Pick(watchedOrders.ToArray()) : AnyKey();

    public string AnyWithdrawal() => Chance(0.5) ? Pick(watchedWithdrawals.ToArray()) : AnyKey();

    public string AnyAsset() => Chance(0.7) ? Pick(Assets) : BadAsset();

    public string AnyAmount() => Chance(0.6) ? Pick("1", "5", "0001", TwoTo256Minus1, random.Next(1, 1_000_000).ToString()) : BadAmount();

    public int AnyTier() => Chance(0.5) ? random.Next(0, 11) : BadTier();

    public int AnyPageSize() => Chance(0.5) ? Pick(0, 1, 50, 500) : BadPageSize();

    public string AnyText() => Chance(0.5) ? "" : RandomUnicode(0, 50, false);

    // ---- requests ----

    /// <summary>A request for <paramref name="method"/>; with <see cref="Mode.Poisoned"/> one field (at least) is certainly invalid.</summary>
    public IMessage Request(string method, Mode mode)
    {
        var valid = mode == Mode.Valid;
        string User() => valid ? Pick(watchedUsers.ToArray()) : AnyUser();
        string Key() => valid ? "k-" + random.NextInt64() : AnyKey();
        string Asset() => valid ? Pick(Assets) : AnyAsset();
        string Amount() => valid ? random.Next(1, 100).ToString() : AnyAmount();
        // Which field carries the poison: drawn once per request.
        int poison = random.Next(16);
        bool P(int field, int fields) => !valid && poison % fields == field;

        switch (method)
        {
            case "GetBalances":
                return new GetBalancesRequest { UserId = valid ? User() : BadId() };
            case "GetBalancesBatch":
            {
                var request = new GetBalancesBatchRequest();
                if (valid) request.UserIds.Add(User());
                else if (Chance(0.2)) { /* empty: refused */ }
                else if (Chance(0.1)) request.UserIds.AddRange(Enumerable.Range(0, 1_001).Select(_ => "u"));
                else
                {
                    request.UserIds.AddRange(Enumerable.Range(0, random.Next(0, 20)).Select(_ => AnyUser()));
                    request.UserIds.Insert(random.Next(request.UserIds.Count + 1), BadId());
                }
                return request;
            }
            case "ListAssets":
                return new ListAssetsRequest();
            case "CreditDeposit":
                return new CreditDepositRequest
                {
                    UserId = P(0, 4) ? BadId() : User(), Asset = P(1, 4) ? BadAsset() : Asset(),
                    Amount = P(2, 4) ? BadAmount() : Amount(), TxId = P(3, 4) ? BadId() : Key(),
                };
            case "RequestWithdrawal":
                return new RequestWithdrawalRequest
                {
                    UserId = P(0, 5) ? BadId() : User(), WithdrawalId = P(1, 5) ? BadId() : Key(), Asset = P(2, 5) ? BadAsset() : Asset(),
                    Amount = P(3, 5) ? BadAmount() : Amount(), Address = P(4, 5) ? BadAddress() : valid ? WithdrawalSetup.EthereumAddress : AnyText(),
                };
            case "CompleteWithdrawal":
            case "FailWithdrawal":
                return new SettleWithdrawalRequest
                {
                    UserId = P(0, 2) ? BadId() : User(),
                    // A well-formed id nobody used is as certain a refusal (NotFound) as a malformed one.
                    WithdrawalId = P(1, 2) ? (Chance(0.5) ? BadId() : "never-" + random.NextInt64()) : valid ? Pick(watchedWithdrawals.ToArray()) : AnyWithdrawal(),
                };
            case "Transfer":
                return new TransferRequest
                {
                    FromUserId = P(0, 5) ? BadId() : User(), ToUserId = P(1, 5) ? BadId() : valid ? User() + "-payee" : AnyUser(),
                    Asset = P(2, 5) ? BadAsset() : Asset(), Amount = P(3, 5) ? BadAmount() : Amount(), IdempotencyKey = P(4, 5) ? BadId() : Key(),
                };
            case "SubmitBatch":
            {
                var request = new SubmitBatchRequest();
                if (!valid && Chance(0.1)) return request; // empty: refused whole
                if (!valid && Chance(0.05))
                {
                    request.Operations.AddRange(Enumerable.Range(0, 1_001).Select(_ => new BatchOperation()));
                    return request;
                }
                var count = valid ? 1 : random.Next(1, 30);
                for (var i = 0; i < count; i++) request.Operations.Add(BatchOperationOf(mode));
                return request;
            }
            case "PlaceOrder":
                return new PlaceOrderRequest
                {
                    OrderId = P(0, 6) ? BadId() : Key(), UserId = P(1, 6) ? BadId() : User(),
                    SellAsset = P(2, 6) ? BadAsset() : "ETH", SellAmount = P(3, 6) ? BadAmount() : Amount(),
                    BuyAsset = P(4, 6) ? BadAsset() : "USDC", MinBuyAmount = P(5, 6) ? BadAmount() : Amount(),
                };
            case "FillOrder":
                return new FillOrderRequest
                {
                    OrderId = P(0, 4) ? (Chance(0.5) ? BadId() : "never-" + random.NextInt64()) : valid ? Pick(watchedOrders.ToArray()) : AnyOrder(),
                    FillId = P(1, 4) ? BadId() : Key(), SoldAmount = P(2, 4) ? BadAmount() : Amount(),
                    BoughtAmount = P(3, 4) ? BadAmount() : valid ? "1000000" : AnyAmount(),
                };
            case "CancelOrder":
                return new CancelOrderRequest { OrderId = valid ? Pick(watchedOrders.ToArray()) : Chance(0.5) ? BadId() : "never-" + random.NextInt64() };
            case "GetOrder":
                return new GetOrderRequest { OrderId = valid ? Pick(watchedOrders.ToArray()) : Chance(0.5) ? BadId() : "never-" + random.NextInt64() };
            case "ListOrders":
                return new ListOrdersRequest
                {
                    UserId = P(0, 3) ? BadId() : User(), PageSize = P(1, 3) ? BadPageSize() : valid ? 50 : AnyPageSize(),
                    PageToken = P(2, 3) ? Pick("x", "-1", "1.5", "\u0000", RandomUnicode(1, 30, true)) : "",
                };
            case "WatchOrderEvents":
                return new WatchOrderEventsRequest { UserId = valid ? User() : BadId() };
            case "GetHistory":
                return new GetHistoryRequest
                {
                    UserId = P(0, 4) ? BadId() : User(), Asset = P(1, 4) ? BadAsset() is { Length: > 0 } a ? a : "DOGE" : valid ? "" : AnyAsset(),
                    PageSize = P(2, 4) ? BadPageSize() : valid ? 50 : AnyPageSize(),
                    PageToken = P(3, 4) ? Pick("x", "!!", "-1", RandomUnicode(1, 30, true), new string('A', 5000)) : "",
                };
            case "GetLedgerStatus":
                return new GetLedgerStatusRequest { UserId = valid ? User() : BadId() };
            case "Reconcile":
                return new ReconcileRequest();
            case "UpsertUser":
                return new UpsertUserRequest { UserId = P(0, 2) ? BadId() : User(), KycTier = P(1, 2) ? BadTier() : valid ? 3 : AnyTier() };
            case "SetTierLimit":
                return new SetTierLimitRequest
                {
                    KycTier = P(0, 3) ? BadTier() : valid ? 3 : AnyTier(), Asset = P(1, 3) ? BadAsset() : Asset(),
                    DailyLimit = P(2, 3) ? BadAmount(zeroAllowed: true) : valid ? "12345" : AnyAmount(),
                };
            case "AddToAllowlist":
                return new AddToAllowlistRequest
                {
                    UserId = P(0, 3) ? BadId() : User(), Chain = P(1, 3) ? BadChain() : "ethereum",
                    Address = P(2, 3) ? BadAddress() : valid ? "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359" : AnyText(),
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }

    private BatchOperation BatchOperationOf(Mode mode) => random.Next(mode == Mode.Valid ? 5 : 6) switch
    {
        0 => new BatchOperation { CreditDeposit = (CreditDepositRequest)Request("CreditDeposit", mode) },
        1 => new BatchOperation { Transfer = (TransferRequest)Request("Transfer", mode) },
        2 => new BatchOperation { RequestWithdrawal = (RequestWithdrawalRequest)Request("RequestWithdrawal", mode) },
        3 => new BatchOperation { CompleteWithdrawal = (SettleWithdrawalRequest)Request("CompleteWithdrawal", mode) },
        4 => new BatchOperation { FailWithdrawal = (SettleWithdrawalRequest)Request("FailWithdrawal", mode) },
        _ => new BatchOperation(), // no operation set: refused
    };

    // ---- raw bytes: what no generated client sends ----

    /// <summary>
    /// Bytes that cannot decode to a request that does anything: random bytes, truncated varints
    /// and lengths, known fields with the wrong wire type, unknown fields, a batch operation of
    /// an unknown kind, deep nesting, and (rarely) a message over the 1 MiB limit.
    /// </summary>
    public byte[] RawBytes()
    {
        switch (random.Next(9))
        {
            case 0: return Bytes(random.Next(0, 64));
            case 1: return Bytes(random.Next(64, 4096));
            case 2: return [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]; // field 1, length 4 GiB, no data
            case 3: return [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]; // over-long varint
            case 4: return [0x08, (byte)random.Next(256), 0x10, 0x96, 0x01]; // field 1 and 2 as varints (strings expected)
            case 5: return Field(random.Next(20, 536_870_911), Bytes(random.Next(0, 100))); // unknown field number
            case 6: return Field(1, Field(random.Next(6, 100), Bytes(random.Next(0, 50)))); // batch operation of an unknown kind
            case 7:
            {
                // 200 levels of nested length-delimited field 1: deeper than the decoder's recursion limit.
                var inner = Array.Empty<byte>();
                for (var i = 0; i < 200; i++) inner = Field(1, inner);
                return inner;
            }
            default:
                return Chance(0.2) ? Field(1, Bytes(1024 * 1024 + random.Next(1, 100))) : [0x0A, 0x05, 0xC3, 0x28, 0xA0, 0xA1, 0xE2]; // invalid UTF-8
        }
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Field(int number, byte[] payload)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }

    private string RandomUnicode(int lengthMin, int lengthMax, bool requireOutsideIdAlphabet)
    {
        var length = random.Next(lengthMin, lengthMax + 1);
        var text = new StringBuilder(length + 1);
        for (var i = 0; i < length; i++)
        {
            // Mostly beyond ASCII: control characters, Latin, CJK, emoji (surrogate pairs), RTL marks.
            var c = random.Next(8) switch
            {
                0 => (char)random.Next(0, 32),
                1 => (char)random.Next(32, 127),
                2 => (char)random.Next(0xA0, 0x250),
                3 => (char)random.Next(0x4E00, 0x9FFF),
                4 => '\u202E',
                5 => '\uFEFF',
                _ => (char)random.Next(0x600, 0x6FF),
            };
            text.Append(c);
            if (random.Next(10) == 0) text.Append(char.ConvertFromUtf32(random.Next(0x1F600, 0x1F64F)));
        }
        if (requireOutsideIdAlphabet) text.Append('\u00E9');
        return text.ToString();
    }

    private bool Chance(double probability) => random.NextDouble() < probability;

    private T Pick<T>(params T[] values) => values[random.Next(values.Length)];
}
