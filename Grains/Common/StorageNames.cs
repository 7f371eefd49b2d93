namespace OrleansWallet.Common;

/// <summary>Names of the Orleans grain storage providers the grains persist to.</summary>
public static class StorageNames
{
    public const string Wallets = "wallets";
    public const string Orders = "orders";
}
