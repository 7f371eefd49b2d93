using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace OrleansWallet.Client;

/// <summary>
/// One HTTP/2 channel to the service with the retry policy and deadlines of
/// <see cref="WalletClientOptions"/>; create once and share (it pools connections).
/// </summary>
public sealed class WalletChannel : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public WalletChannel(WalletClientOptions options)
    {
        Options = options;
        var retry = new MethodConfig
        {
            Names = { MethodName.Default },
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = options.MaxAttempts,
                InitialBackoff = options.InitialBackoff,
                MaxBackoff = options.MaxBackoff,
                BackoffMultiplier = 2,
                // Only what the service says is safe to repeat: every mutation carries its key.
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            ServiceConfig = new ServiceConfig { MethodConfigs = { retry } },
            // gRPC's defaults (1 s, growing to 120 s) kept a channel failing fast for many seconds after
            // its silo was back: reconnect from a tenth of a second, never waiting more than 2 s.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(2),
        });
        _invoker = WithCredentials(_channel.CreateCallInvoker(), options);
        Wallets = new WalletClient(this);
        Orders = new OrdersClient(this);
        Ledger = new LedgerClient(this);
    }

    public WalletChannel(string address) : this(new WalletClientOptions { Address = new Uri(address) })
    {
    }

    public WalletClientOptions Options { get; }
    public WalletClient Wallets { get; }
    public OrdersClient Orders { get; }
    public LedgerClient Ledger { get; }

    internal CallInvoker Invoker => _invoker;

    /// <summary>
    /// Adds the credential to every call's headers. Not gRPC CallCredentials: those are sent only
    /// over TLS, and a local cluster speaks plain HTTP/2.
    /// </summary>
    private static CallInvoker WithCredentials(CallInvoker invoker, WalletClientOptions options)
    {
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            var key = options.ApiKey;
            return invoker.Intercept(headers =>
            {
                headers.Add(ApiKeyHeader, key);
                return headers;
            });
        }
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            var authorization = "Bearer " + options.BearerToken;
            return invoker.Intercept(headers =>
            {
                headers.Add("authorization", authorization);
                return headers;
            });
        }
        return invoker;
    }

    internal const string ApiKeyHeader = "x-api-key";

    internal CallOptions CallOptions(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + Options.Deadline, cancellationToken: cancellationToken);

    public void Dispose() => _channel.Dispose();
}
