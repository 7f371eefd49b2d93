using System.Reflection;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Load;

/// <summary>
/// The load generator's channels: one or more per endpoint, each a copy of the options the CLI
/// built for <c>--endpoint</c> (through <see cref="Run.WithChannel"/>), so whatever the shared
/// options carry — credentials included, once the CLI has them — every load channel carries too;
/// only the address, the deadline and the attempts are the load command's own.
/// </summary>
public static class LoadChannels
{
    private static readonly MethodInfo MemberwiseCloneMethod =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    public static List<WalletChannel> Create(WalletClientOptions shared, LoadOptions options)
    {
        var channels = new List<WalletChannel>();
        // Interleaved (a0 b0 a1 b1 ...) so consecutive callers go to different silos.
        for (var c = 0; c < options.ConnectionsPerEndpoint; c++)
            foreach (var endpoint in options.Endpoints)
                channels.Add(new WalletChannel(Derive(shared, endpoint, options.Deadline, options.MaxAttempts)));
        return channels;
    }

    /// <summary>A copy of <paramref name="shared"/> (every setting, even ones added later) with this address, deadline and attempts.</summary>
    public static WalletClientOptions Derive(WalletClientOptions shared, Uri address, TimeSpan deadline, int? maxAttempts)
    {
        var copy = (WalletClientOptions)MemberwiseCloneMethod.Invoke(shared, null)!;
        copy.Address = address;
        copy.Deadline = deadline;
        if (maxAttempts is { } attempts) copy.MaxAttempts = attempts;
        return copy;
    }
}
