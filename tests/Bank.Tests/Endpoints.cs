namespace OrleansWallet.Bank.Tests;

/// <summary>
/// The gRPC endpoints clients may use, as a load balancer would list them: a silo that is killed
/// stays listed (nobody told the balancer), a silo being stopped on purpose is taken out first,
/// a new silo is added once it is ready.
/// </summary>
public sealed class Endpoints(string bearerToken)
{
    private volatile string[] _addresses = [];

    /// <summary>The credential every client sends (the fixtures' operator-and-admin principal: the bank test moves everyone's money).</summary>
    public string BearerToken { get; } = bearerToken;

    public IReadOnlyList<string> Addresses => _addresses;

    public void Add(string address)
    {
        lock (this) _addresses = [.. _addresses.Where(a => a != address), address];
    }

    public void Remove(string address)
    {
        lock (this) _addresses = _addresses.Where(a => a != address).ToArray();
    }
}
