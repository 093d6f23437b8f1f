namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The IPv6 addresses datapath actions name (what a ct action translates to; the next hop and sender of a
/// resolve_neighbour), each given a number once: a <see cref="DatapathAction"/>'s operands (a 32-bit port and a 64-bit
/// value) hold an IPv4 NAT address with its zones and port range, or two IPv4 addresses, but not 128-bit ones besides,
/// and growing every action by 16 bytes or more for the few that name IPv6 addresses would cost every cached flow.
/// </summary>
/// <remarks>
/// Shared by every edge of the process and never shrunk: the addresses are gateways' own, their routers and their
/// floating IPs, a handful per external network, so the book stays small; past <see cref="Capacity"/> a new address is
/// refused.
/// Taking a number locks; reading one (per committed connection, on the datapath's thread) does not.
/// </remarks>
public static class Ipv6AddressBook
{
    /// <summary>How many distinct addresses the book numbers at most.</summary>
    public const int Capacity = 1 << 16;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<UInt128, uint> NumberOf = [];
    private static volatile UInt128[] s_addresses = new UInt128[16];

    /// <summary>The number of <paramref name="address"/>, given it now if it has none; false when the book is full.</summary>
    public static bool TryNumber(UInt128 address, out uint number)
    {
        lock (Gate)
        {
            if (NumberOf.TryGetValue(address, out number))
            {
                return true;
            }

            if (NumberOf.Count == Capacity)
            {
                return false;
            }

            number = (uint)NumberOf.Count;
            var addresses = s_addresses;
            if (number == addresses.Length)
            {
                var grown = new UInt128[addresses.Length * 2];
                addresses.CopyTo(grown, 0);
                addresses = grown;
            }

            addresses[number] = address;
            s_addresses = addresses;
            NumberOf.Add(address, number);
            return true;
        }
    }

    /// <summary>The address numbered <paramref name="number"/>.</summary>
    public static UInt128 Address(uint number) => s_addresses[number];
}
