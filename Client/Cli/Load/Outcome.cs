using Grpc.Core;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Load;

/// <summary>The calls the generator makes; each has its own latency histogram and counters.</summary>
public enum CallKind
{
    Fund,
    Deposit,
    Transfer,
    DepositBatch,
    TransferBatch,
    OrderPlace,
    OrderFill,
    OrderCancel,
    Read,
    ReadBatch,
}

/// <summary>How one operation ended, as its caller sees it after the SDK's own retries.</summary>
public enum OutcomeClass
{
    Ok,

    /// <summary>A refusal the service is right to give (insufficient_funds, order_*, conflicts): expected in a random mix.</summary>
    Refused,

    /// <summary>Unavailable with a reason that says retry (storage_unavailable, operation_in_progress, ledger_*): not a timeout.</summary>
    Unavailable,

    /// <summary>The caller waited and got nothing: DeadlineExceeded, or Unavailable / cluster_unavailable.</summary>
    Timeout,

    /// <summary>Anything else: Internal, a transport error, an exception the SDK does not map.</summary>
    Failed,
}

/// <summary>Turns an SDK answer or exception into an <see cref="OutcomeClass"/> and a "Status/reason" label.</summary>
public static class Outcomes
{
    public const string ClusterUnavailable = "cluster_unavailable";

    public static OutcomeClass Classify(StatusCode status, string reason) => status switch
    {
        StatusCode.OK => OutcomeClass.Ok,
        StatusCode.DeadlineExceeded => OutcomeClass.Timeout,
        StatusCode.Unavailable when reason == ClusterUnavailable => OutcomeClass.Timeout,
        StatusCode.Unavailable => OutcomeClass.Unavailable,
        StatusCode.FailedPrecondition or StatusCode.InvalidArgument or StatusCode.AlreadyExists or StatusCode.NotFound => OutcomeClass.Refused,
        _ => OutcomeClass.Failed,
    };

    public static (OutcomeClass Class, string Label) Classify(Exception exception) => exception switch
    {
        WalletApiException api => (Classify(api.Status, api.Reason), $"{api.Status}/{api.Reason}"),
        RpcException rpc => (Classify(rpc.StatusCode, rpc.Trailers.GetValue("error-reason") ?? ""),
            $"{rpc.StatusCode}/{rpc.Trailers.GetValue("error-reason") ?? rpc.StatusCode.ToString().ToLowerInvariant()}"),
        OperationCanceledException => (OutcomeClass.Failed, "Cancelled/client_cancelled"),
        _ => (OutcomeClass.Failed, $"Exception/{exception.GetType().Name}"),
    };

    public static string Name(CallKind kind) => kind switch
    {
        CallKind.Fund => "fund",
        CallKind.Deposit => "deposit",
        CallKind.Transfer => "transfer",
        CallKind.DepositBatch => "deposit_batch",
        CallKind.TransferBatch => "transfer_batch",
        CallKind.OrderPlace => "order_place",
        CallKind.OrderFill => "order_fill",
        CallKind.OrderCancel => "order_cancel",
        CallKind.Read => "read",
        CallKind.ReadBatch => "read_batch",
        _ => kind.ToString(),
    };
}
