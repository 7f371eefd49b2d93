namespace OrleansWallet;

/// <summary>
/// A refused operation. Thrown before any state changes, so the caller may correct and retry.
/// Crosses grain and silo boundaries (Orleans serializes it), and the gRPC layer maps
/// <see cref="Kind"/> to a status code and <see cref="Code"/> to the reason trailer.
/// </summary>
[GenerateSerializer]
public sealed class WalletException : Exception
{
    public WalletException(string code, string message) : base(message) => Code = code;

    [Id(0)] public string Code { get; }

    public ErrorKind Kind => ErrorCodes.KindOf(Code);
}
