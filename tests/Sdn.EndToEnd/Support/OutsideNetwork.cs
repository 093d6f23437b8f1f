using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// "The outside" of a gateway test: a namespace this test makes, on the far end of a veth pair it makes too, whose
/// near end (<see cref="Inside"/>) stays here for the gateway edge to open. Both are named afresh per instance, so
/// runs side by side never meet, and both are gone after <see cref="Dispose"/>, also when making them failed half-way.
/// </summary>
internal sealed class OutsideNetwork : IDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];

    /// <param name="addressWithPrefix">The outside's address on the veth, such as 198.51.100.1/24.</param>
    public OutsideNetwork(string addressWithPrefix)
    {
        Namespace = NetworkNamespace.Create($"sdno-{_suffix}");
        try
        {
            ExternalCommand.Run("ip", "link", "add", Inside, "type", "veth", "peer", "name", Outside);
            Namespace.Adopt(Outside);
            Namespace.Configure(Outside, addressWithPrefix);
            ExternalCommand.Run("ip", "link", "set", "dev", Inside, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>The veth end in this namespace: the external network's interface.</summary>
    public string Inside => $"sdnx{_suffix}";

    private string Outside => $"sdny{_suffix}";

    /// <summary>Gives the outside's veth end an IPv6 address too, at once usable (no duplicate address detection to wait for).</summary>
    public void AddIpv6(string addressWithPrefix) => Namespace.Run("ip", "-6", "address", "add", addressWithPrefix, "dev", Outside, "nodad");

    /// <summary>Deletes the pair from this end (the kernel frees a deleted namespace's devices only later), then the namespace.</summary>
    public void Dispose()
    {
        try
        {
            if (ExternalCommand.Run("ip", "-o", "link", "show").Contains($" {Inside}@", StringComparison.Ordinal))
            {
                ExternalCommand.Run("ip", "link", "del", Inside);
            }
        }
        finally
        {
            Namespace.Dispose();
        }
    }
}
