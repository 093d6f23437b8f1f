namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The lease a DHCP responder hands its port's host: <paramref name="Client"/>/<paramref name="PrefixLength"/>, with
/// <paramref name="Server"/> (from <paramref name="ServerMac"/>) as router and server identifier, and
/// <paramref name="DnsServer"/> when it is not 0. Addresses are IPv4 in host order.
/// </summary>
public readonly record struct DhcpOffer(uint Client, byte PrefixLength, uint Server, ulong ServerMac, ushort Mtu, uint LeaseSeconds, uint DnsServer = 0)
{
    public override string ToString() =>
        $"{Ipv4Text(Client)}/{PrefixLength},router={Ipv4Text(Server)},mtu={Mtu},lease={LeaseSeconds}s{(DnsServer == 0 ? "" : $",dns={Ipv4Text(DnsServer)}")}";

    private static string Ipv4Text(uint address) => $"{address >> 24}.{(byte)(address >> 16)}.{(byte)(address >> 8)}.{(byte)address}";
}
