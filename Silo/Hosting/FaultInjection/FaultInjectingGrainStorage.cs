using Orleans.Storage;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>
/// Grain storage that fails the writes a test asked to fail (see <see cref="FaultSwitch"/>), the way
/// a Redis error or timeout would, before they reach the real storage; everything else passes through.
/// </summary>
internal sealed class FaultInjectingGrainStorage(IGrainStorage inner, FaultSwitch faults)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (await faults.ShouldFailAsync("write", grainId))
            throw new TimeoutException($"fault injection: write of {grainId} failed");
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant) participant.Participate(lifecycle);
    }
}
