namespace OrleansWallet.Silo.Security;

/// <summary>The roles a credential can carry; one caller may hold several.</summary>
[Flags]
public enum Roles
{
    None = 0,
    /// <summary>Acts on one wallet only: the user id the credential names.</summary>
    User = 1,
    /// <summary>Moves money in and out on evidence from outside: deposits, withdrawal settlement, fills, reconcile.</summary>
    Operator = 2,
    /// <summary>Keeps the reference data withdrawals are checked against: users, limits, allow-lists.</summary>
    Admin = 4,
}

public static class WalletRoles
{
    public const string User = "user";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static bool TryParse(string? text, out Roles role)
    {
        role = text switch
        {
            User => Roles.User,
            Operator => Roles.Operator,
            Admin => Roles.Admin,
            _ => Roles.None,
        };
        return role != Roles.None;
    }
}
