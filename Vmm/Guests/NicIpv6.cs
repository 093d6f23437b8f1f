using System.Net;
using System.Net.Sockets;

namespace Sdn.Vmm.Guests;

/// <summary>What a guest learns about a NIC's IPv6 addressing from the boot-info page.</summary>
public sealed record NicIpv6
{
    /// <param name="address">The guest's IPv6 address on the NIC.</param>
    /// <param name="prefixLength">The subnet prefix length, 0 to 128.</param>
    /// <param name="gateway">The default gateway, or <see cref="IPAddress.IPv6Any"/> for none.</param>
    public NicIpv6(IPAddress address, int prefixLength, IPAddress gateway)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(gateway);
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || gateway.AddressFamily != AddressFamily.InterNetworkV6 || prefixLength is < 0 or > 128)
        {
            throw new VmmException($"a NIC's IPv6 addressing needs IPv6 addresses and a prefix length of 0 to 128, got {address}/{prefixLength} via {gateway} — pass IPAddress.IPv6Any for no gateway");
        }

        Address = address;
        PrefixLength = prefixLength;
        Gateway = gateway;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public IPAddress Gateway { get; }
}
