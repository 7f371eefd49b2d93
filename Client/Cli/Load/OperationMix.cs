using System.Globalization;

namespace OrleansWallet.Cli.Load;

/// <summary>What a load worker does next: one call (or one batch call) of these kinds.</summary>
public enum MixOperation
{
    /// <summary>CreditDeposit to a random wallet (or a SubmitBatch of deposits with --batch).</summary>
    Deposit,

    /// <summary>Transfer between two random wallets (or a SubmitBatch of transfers with --batch).</summary>
    Transfer,

    /// <summary>An order lifecycle: place (holds ETH), fill part (or all), cancel the rest: three calls.</summary>
    Order,

    /// <summary>GetBalances of a random wallet (or GetBalancesBatch with --read-batch).</summary>
    Read,
}

/// <summary>
/// Weighted choice among operations, parsed from <c>deposit=40,transfer=40,order=10,read=10</c>
/// (weights are relative; a bare name weighs 1). Picking is one array scan over at most four
/// cumulative weights: no allocation, no LINQ.
/// </summary>
public sealed class OperationMix
{
    private readonly MixOperation[] _operations;
    private readonly int[] _cumulative;

    private OperationMix(MixOperation[] operations, int[] cumulative)
    {
        _operations = operations;
        _cumulative = cumulative;
    }

    public int TotalWeight => _cumulative[^1];

    public IReadOnlyList<MixOperation> Operations => _operations;

    public int WeightOf(MixOperation operation)
    {
        for (var i = 0; i < _operations.Length; i++)
            if (_operations[i] == operation) return _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]);
        return 0;
    }

    /// <summary>The fraction of picks that are <paramref name="operation"/>.</summary>
    public double Share(MixOperation operation) => (double)WeightOf(operation) / TotalWeight;

    /// <summary>Picks by a uniform draw in [0, <see cref="TotalWeight"/>).</summary>
    public MixOperation Pick(int draw)
    {
        for (var i = 0; i < _cumulative.Length; i++)
            if (draw < _cumulative[i]) return _operations[i];
        return _operations[^1];
    }

    public MixOperation Pick(Random random) => Pick(random.Next(TotalWeight));

    public override string ToString()
    {
        var parts = new string[_operations.Length];
        for (var i = 0; i < parts.Length; i++) parts[i] = $"{Name(_operations[i])}={WeightOf(_operations[i])}";
        return string.Join(",", parts);
    }

    public static string Name(MixOperation operation) => operation.ToString().ToLowerInvariant();

    /// <summary>Parses the mix; on failure <paramref name="error"/> says what is wrong, naming <paramref name="optionName"/>.</summary>
    public static bool TryParse(string? text, string optionName, out OperationMix? mix, out string? error)
    {
        mix = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"{optionName}: empty; give operations with weights, e.g. deposit=40,transfer=40,order=10,read=10";
            return false;
        }
        var operations = new List<MixOperation>();
        var cumulative = new List<int>();
        var total = 0;
        foreach (var rawPart in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (rawPart.Length == 0)
            {
                error = $"{optionName}: '{text}' has an empty entry";
                return false;
            }
            var pieces = rawPart.Split('=', 2, StringSplitOptions.TrimEntries);
            if (!Enum.TryParse<MixOperation>(pieces[0], ignoreCase: true, out var operation) || int.TryParse(pieces[0], out _))
            {
                error = $"{optionName}: unknown operation '{pieces[0]}' (known: deposit, transfer, order, read)";
                return false;
            }
            var weight = 1;
            if (pieces.Length == 2 && (!int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out weight)
                                       || weight > 1_000_000))
            {
                error = $"{optionName}: weight '{pieces[1]}' of {pieces[0]} is not a whole number from 0 to 1000000";
                return false;
            }
            if (operations.Contains(operation))
            {
                error = $"{optionName}: {Name(operation)} is given twice";
                return false;
            }
            if (weight == 0) continue;
            total += weight;
            operations.Add(operation);
            cumulative.Add(total);
        }
        if (total == 0)
        {
            error = $"{optionName}: every weight is 0; at least one operation must have a positive weight";
            return false;
        }
        mix = new OperationMix([.. operations], [.. cumulative]);
        return true;
    }
}
