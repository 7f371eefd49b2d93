namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Leaves the Orleans Dashboard's counters collector unbuilt unless
/// <see cref="OperationsOptions.DashboardCounters"/> asks for it. The dashboard builds its own
/// OpenTelemetry meter provider, with no hook to filter instruments or stretch its one-second
/// period; the SDK's documented switch, <c>OTEL_SDK_DISABLED</c>, read from the environment when
/// that provider is built, is the only way. The silo uses OpenTelemetry for nothing else, and an
/// operator's own value of the variable is left as it is.
/// </summary>
internal static class DashboardCounters
{
    private const string SdkDisabledVariable = "OTEL_SDK_DISABLED";

    /// <summary>Before the host starts (the dashboard builds its provider as the silo starts).</summary>
    public static void Apply(OperationsOptions operations)
    {
        if (operations.DashboardCounters) return;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SdkDisabledVariable))) return;
        Environment.SetEnvironmentVariable(SdkDisabledVariable, "true");
    }
}
