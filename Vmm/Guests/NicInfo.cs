using System.Net;

namespace Sdn.Vmm.Guests;

/// <summary>What a guest learns about one of its NICs from the boot-info page.</summary>
/// <param name="Mac">The 6-byte MAC address.</param>
/// <param name="Address">The guest's IPv4 address on this NIC.</param>
/// <param name="PrefixLength">The subnet prefix length.</param>
/// <param name="Gateway">The default gateway, or <see cref="IPAddress.Any"/> for none.</param>
/// <param name="Ipv6">The NIC's IPv6 addressing, or null for none.</param>
public sealed record NicInfo(byte[] Mac, IPAddress Address, int PrefixLength, IPAddress Gateway, NicIpv6? Ipv6 = null)
{
    /// <summary>A locally administered MAC 02:53:44:00:00:<paramref name="last"/>.</summary>
    public static byte[] LocalMac(byte last) => [0x02, 0x53, 0x44, 0x00, 0x00, last];
}
