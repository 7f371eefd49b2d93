using Grpc.Core;

namespace OrleansWallet.Cli.Tests;

public sealed class OutcomesTests
{
    [Theory]
    [InlineData(StatusCode.OK, "", OutcomeClass.Ok)]
    [InlineData(StatusCode.FailedPrecondition, "insufficient_funds", OutcomeClass.Refused)]
    [InlineData(StatusCode.InvalidArgument, "amount_zero", OutcomeClass.Refused)]
    [InlineData(StatusCode.AlreadyExists, "idempotency_key_conflict", OutcomeClass.Refused)]
    [InlineData(StatusCode.NotFound, "order_not_found", OutcomeClass.Refused)]
    [InlineData(StatusCode.Unavailable, "storage_unavailable", OutcomeClass.Unavailable)]
    [InlineData(StatusCode.Unavailable, "ledger_outbox_full", OutcomeClass.Unavailable)]
    [InlineData(StatusCode.Unavailable, "cluster_unavailable", OutcomeClass.Timeout)]
    [InlineData(StatusCode.DeadlineExceeded, "deadlineexceeded", OutcomeClass.Timeout)]
    [InlineData(StatusCode.Internal, "internal", OutcomeClass.Failed)]
    public void A_caller_timeout_is_a_deadline_or_an_unanswering_cluster(StatusCode status, string reason, OutcomeClass expected) =>
        Assert.Equal(expected, Outcomes.Classify(status, reason));

    [Fact]
    public void Exceptions_get_a_status_and_reason_label()
    {
        var rpc = new RpcException(new Status(StatusCode.Unavailable, "x"), new Metadata { { "error-reason", "cluster_unavailable" } });
        Assert.Equal((OutcomeClass.Timeout, "Unavailable/cluster_unavailable"), Outcomes.Classify(rpc));
        Assert.Equal((OutcomeClass.Failed, "Exception/HttpRequestException"), Outcomes.Classify(new HttpRequestException("refused")));
    }
}
