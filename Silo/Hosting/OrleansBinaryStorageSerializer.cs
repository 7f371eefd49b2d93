using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// Stores grain state in Orleans' own version-tolerant binary format. The JSON default would
/// silently drop state it cannot map (private setters, the <c>Amount</c> struct's private
/// field); this format round-trips exactly the fields marked with <c>[Id]</c>.
/// </summary>
internal sealed class OrleansBinaryStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;
}
