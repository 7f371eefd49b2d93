namespace OrleansWallet.Streaming.Kafka.Tests;

public static class TestStreams
{
    public const string ProviderName = "kafka";
    public const string Namespace = "wallet-events";
}
