using System.Net.Sockets;
using Npgsql;
using Polly.Timeout;
using StackExchange.Redis;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>
/// What may succeed if tried again: network errors, timeouts and server shutdowns. Constraint
/// violations, bad SQL and bad input are never transient, so they are neither retried nor counted
/// against the breaker.
/// </summary>
public static class TransientFailures
{
    // Shutdown and connection-class SQLSTATEs seen while a server restarts; Npgsql's own list
    // does not include every one of them.
    private static readonly HashSet<string> RestartSqlStates =
        ["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"];

    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        PostgresException postgres => postgres.IsTransient || RestartSqlStates.Contains(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient,
        RedisConnectionException or RedisTimeoutException => true,
        SocketException or TimeoutException or IOException => true,
        _ => false,
    };
}
