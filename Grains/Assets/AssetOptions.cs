using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Assets;

/// <summary>The assets this deployment keeps (configuration section <c>Assets</c>).</summary>
public sealed class AssetOptions
{
    public const string Section = "Assets";

    [MinLength(1, ErrorMessage = "Assets:List must name at least one asset")]
    public List<AssetDefinition> List { get; set; } = [];
}

public sealed class AssetDefinition
{
    [Required, RegularExpression("^[A-Z0-9]{2,16}$", ErrorMessage = "Assets:List:Symbol must be 2-16 upper-case letters or digits")]
    public string Symbol { get; set; } = "";

    [Required, RegularExpression("^[a-z0-9-]{2,32}$", ErrorMessage = "Assets:List:Chain must be 2-32 lower-case letters, digits or '-'")]
    public string Chain { get; set; } = "";

    /// <summary>0..36: 18 covers ETH and every common ERC-20; more would mean a malformed registry.</summary>
    [Range(0, 36, ErrorMessage = "Assets:List:Decimals must be between 0 and 36")]
    public int Decimals { get; set; }
}
