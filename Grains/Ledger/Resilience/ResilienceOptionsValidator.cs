using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>Data annotations do not descend into nested objects; this does, naming each field by its path.</summary>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        var failures = new List<string>();
        Check(nameof(ResilienceOptions.Postgres), options.Postgres, failures);
        Check(nameof(ResilienceOptions.Redis), options.Redis, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string dependency, DependencyResilienceOptions? options, List<string> failures)
    {
        if (options is null)
        {
            failures.Add($"{ResilienceOptions.SectionName}:{dependency} is required.");
            return;
        }
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
            failures.Add($"{ResilienceOptions.SectionName}:{dependency}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}");
    }
}
