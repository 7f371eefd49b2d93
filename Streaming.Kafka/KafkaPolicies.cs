namespace OrleansWallet.Streaming.Kafka;

/// <summary>What a receiver does with a message it cannot decode into a stream event.</summary>
public enum KafkaPoisonMessageHandling
{
    /// <summary>
    /// Write it to the dead-letter topic (reason in headers) and go on. The partition does not move
    /// past it until the dead-letter write is acknowledged; while that fails, the partition waits.
    /// </summary>
    DeadLetter,

    /// <summary>
    /// Stop the partition at it: nothing after it is delivered or committed until an operator acts
    /// (deploys a version that can read it, or moves the group's offset). Readiness reports it.
    /// </summary>
    StopPartition,
}

/// <summary>What start-up does when a durability setting of the topic is weaker than configured.</summary>
public enum KafkaDurabilityCheck
{
    /// <summary>Stop start-up with a message naming the setting.</summary>
    Refuse,

    /// <summary>Log a warning and start.</summary>
    Warn,
}
