using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansWallet.Ledger.Postgres;

/// <summary>The rules data annotations cannot express: the connection string parses, and the pool bounds agree.</summary>
public sealed class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException e)
            {
                failures.Add($"{nameof(PostgresOptions.ConnectionString)} is not a valid Npgsql connection string: {e.Message}");
            }
        }
        if (options.MinimumPoolSize > options.MaximumPoolSize)
            failures.Add($"{nameof(PostgresOptions.MinimumPoolSize)} ({options.MinimumPoolSize}) must not exceed " +
                         $"{nameof(PostgresOptions.MaximumPoolSize)} ({options.MaximumPoolSize}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
