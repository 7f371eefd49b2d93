using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Assets;

/// <summary>Checks every listed asset (data annotations alone stop at the list) and that symbols are unique.</summary>
public sealed class AssetOptionsValidator : IValidateOptions<AssetOptions>
{
    public ValidateOptionsResult Validate(string? name, AssetOptions options)
    {
        var failures = new List<string>();
        if (options.List.Count == 0) failures.Add("Assets:List must name at least one asset");
        for (var i = 0; i < options.List.Count; i++)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(options.List[i], new ValidationContext(options.List[i]), results, validateAllProperties: true))
                failures.AddRange(results.Select(r => $"Assets:List:{i}: {r.ErrorMessage}"));
        }
        failures.AddRange(options.List.GroupBy(a => a.Symbol).Where(g => g.Count() > 1)
            .Select(g => $"Assets:List: symbol '{g.Key}' is listed {g.Count()} times"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
