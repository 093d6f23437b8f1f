using System.Runtime.InteropServices;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Nat;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>One step of a compiled action list; which operands matter depends on <see cref="Kind"/>.</summary>
public readonly record struct DatapathAction(DatapathActionKind Kind, uint Port = 0, HeaderField Field = default, ulong Value = 0)
{
    /// <summary>Set in the <see cref="Value"/> of a <see cref="DatapathActionKind.NdReply"/> that answers as a router.</summary>
    public const ulong NdRouterFlag = 1UL << 48;

    /// <summary>
    /// The MPLS label this action writes: a push that carries one (see <see cref="DatapathActionKind.PushMpls"/>), or a
    /// set of the label field; else null, as for a push of the placeholder label 0 that a later set overwrites.
    /// </summary>
    public uint? MplsLabelWritten => Kind switch
    {
        DatapathActionKind.PushMpls when Value >> 16 != 0 => (uint)(Value >> 16),
        DatapathActionKind.SetField when Field == HeaderField.MplsLabel => (uint)Value,
        _ => null,
    };

    /// <summary>
    /// The source and destination MACs a <see cref="DatapathActionKind.SetEthAddresses"/> or
    /// <see cref="DatapathActionKind.RouteHop"/> writes.
    /// </summary>
    public (ulong Source, ulong Destination) EthAddressesWritten
    {
        get
        {
            Span<byte> macs = stackalloc byte[EthAddressesSize];
            MemoryMarshal.Write(macs, Value);
            MemoryMarshal.Write(macs[sizeof(ulong)..], Port);
            return (EthernetHeader.ReadMac(macs[MacSize..]), EthernetHeader.ReadMac(macs));
        }
    }

    /// <summary>
    /// What a <see cref="DatapathActionKind.CtCommit"/> translates a new connection to (or a
    /// <see cref="DatapathActionKind.CtNat"/> a new connection not committed yet), or null. <see cref="Field"/> names
    /// the address it rewrites (<see cref="HeaderField.Ipv4Src"/> or <see cref="HeaderField.Ipv4Dst"/>, or for IPv6
    /// <see cref="HeaderField.Ipv6SrcHigh"/> or <see cref="HeaderField.Ipv6DstHigh"/>; none of them for no
    /// translation); <see cref="Value"/> holds the zone in its low 16 bits, the IPv4 address (or the IPv6 address's
    /// number in <see cref="Ipv6AddressBook"/>) above it and the reply way's zone in the top 16; <see cref="Port"/>
    /// the port range, first port low.
    /// </summary>
    public NatTranslation? CtTranslation => Kind is DatapathActionKind.CtCommit or DatapathActionKind.CtNat
        && Field is HeaderField.Ipv4Src or HeaderField.Ipv4Dst or HeaderField.Ipv6SrcHigh or HeaderField.Ipv6DstHigh
        ? new NatTranslation(
            Field is HeaderField.Ipv4Dst or HeaderField.Ipv6DstHigh ? NatSide.Destination : NatSide.Source,
            Field is HeaderField.Ipv6SrcHigh or HeaderField.Ipv6DstHigh ? Ipv6AddressBook.Address((uint)(Value >> 16)) : (uint)(Value >> 16),
            (ushort)Port,
            (ushort)(Port >> 16),
            (ushort)(Value >> 48) is var replyZone && replyZone != (ushort)Value ? replyZone : null,
            Field is HeaderField.Ipv6SrcHigh or HeaderField.Ipv6DstHigh)
        : null;

    /// <summary>
    /// Whether a <see cref="DatapathActionKind.ResolveNeighbour"/> resolves an IPv6 next hop: then <see cref="Field"/> is
    /// <see cref="HeaderField.Ipv6DstHigh"/> and <see cref="Value"/> holds the numbers in <see cref="Ipv6AddressBook"/>
    /// of the next hop (plus one, 0 for the packet's destination) and, above it, of the sender.
    /// </summary>
    public bool ResolvesIpv6 => Kind == DatapathActionKind.ResolveNeighbour && Field == HeaderField.Ipv6DstHigh;

    /// <summary>The next hop (:: for the packet's destination) and sender of a <see cref="ResolvesIpv6"/> action.</summary>
    public (UInt128 NextHop, UInt128 Sender) Ipv6NeighbourAddresses =>
        ((uint)Value == 0 ? UInt128.Zero : Ipv6AddressBook.Address((uint)Value - 1), Ipv6AddressBook.Address((uint)(Value >> 32)));

    private static string Ipv6Text(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new System.Net.IPAddress(bytes).ToString();
    }

    private const ulong EthernetMask = (1UL << 48) - 1;
    private const int MacSize = 6;
    private const int EthAddressesSize = 2 * MacSize;

    /// <summary>
    /// A <paramref name="kind"/> (<see cref="DatapathActionKind.SetEthAddresses"/> or <see cref="DatapathActionKind.RouteHop"/>)
    /// that writes <paramref name="source"/> and <paramref name="destination"/>. The 12 bytes the two make at the front of
    /// a frame are held in <see cref="Value"/> and <see cref="Port"/> as they lie in memory, so the datapath stores
    /// them as two plain writes and no action grows to hold them.
    /// </summary>
    public static DatapathAction EthAddresses(DatapathActionKind kind, ulong source, ulong destination)
    {
        Span<byte> macs = stackalloc byte[EthAddressesSize];
        EthernetHeader.WriteMac(macs, destination);
        EthernetHeader.WriteMac(macs[MacSize..], source);
        return new DatapathAction(kind, MemoryMarshal.Read<uint>(macs[sizeof(ulong)..]), Value: MemoryMarshal.Read<ulong>(macs));
    }

    /// <summary>A <see cref="DatapathActionKind.CtCommit"/> in <paramref name="zone"/>, translating as <paramref name="nat"/> says when given.</summary>
    public static DatapathAction CtCommitIn(ushort zone, NatTranslation? nat) => Ct(DatapathActionKind.CtCommit, zone, nat);

    /// <summary>A <see cref="DatapathActionKind.CtNat"/> that rewrites a new, uncommitted connection as <paramref name="nat"/> says when given.</summary>
    public static DatapathAction CtNatIn(ushort zone, NatTranslation? nat) => Ct(DatapathActionKind.CtNat, zone, nat);

    private static DatapathAction Ct(DatapathActionKind kind, ushort zone, NatTranslation? nat)
    {
        if (nat is not { } translation)
        {
            return new DatapathAction(kind, Value: zone);
        }

        var destination = translation.Side == NatSide.Destination;
        var (field, address) = !translation.IsIpv6 ? (destination ? HeaderField.Ipv4Dst : HeaderField.Ipv4Src, (uint)translation.Address)
            : Ipv6AddressBook.TryNumber(translation.Address, out var number) ? (destination ? HeaderField.Ipv6DstHigh : HeaderField.Ipv6SrcHigh, number)
            : throw new InvalidOperationException($"nat({translation}): the edge translates to {Ipv6AddressBook.Capacity} IPv6 addresses at most");
        return new DatapathAction(
            kind,
            translation.FirstPort | ((uint)translation.LastPort << 16),
            field,
            zone | ((ulong)address << 16) | ((ulong)(translation.ReplyZone ?? zone) << 48));
    }

    public override string ToString() => Kind switch
    {
        DatapathActionKind.Output => $"output:{Port}",
        DatapathActionKind.SetField => $"set({Field}=0x{Value:x})",
        DatapathActionKind.Punt => $"punt(reason={Value})",
        DatapathActionKind.PushMpls when Value >> 16 != 0 => $"{Kind}(0x{(ushort)Value:x4},label={Value >> 16})",
        DatapathActionKind.PushMpls or DatapathActionKind.PopMpls or DatapathActionKind.PushVlan => $"{Kind}(0x{Value:x4})",
        DatapathActionKind.SetEthAddresses or DatapathActionKind.RouteHop =>
            $"{Kind}(src=0x{EthAddressesWritten.Source:x12},dst=0x{EthAddressesWritten.Destination:x12})",
        DatapathActionKind.DropSpoofed => "drop(port_security)",
        DatapathActionKind.ArpReply => $"arp_reply(0x{Value:x12})",
        DatapathActionKind.NdReply => $"nd_reply(0x{Value & EthernetMask:x12}{((Value & NdRouterFlag) != 0 ? ",router" : string.Empty)})",
        DatapathActionKind.DhcpReply => $"dhcp_reply(offer={Port})",
        DatapathActionKind.CtLookup => $"ct(zone={Value})",
        DatapathActionKind.CtCommit => CtTranslation is { } nat ? $"ct_commit(zone={(ushort)Value},nat({nat}))" : $"ct_commit(zone={Value})",
        DatapathActionKind.CtNat => CtTranslation is { } uncommitted ? $"ct_nat({uncommitted})" : "ct_nat",
        DatapathActionKind.LearnNeighbour => "learn_neighbour",
        DatapathActionKind.Loopback => $"loopback:{Port}",
        DatapathActionKind.ResolveNeighbour when ResolvesIpv6 =>
            $"resolve_neighbour(port={Port},next_hop={(Ipv6NeighbourAddresses.NextHop == UInt128.Zero ? "destination" : Ipv6Text(Ipv6NeighbourAddresses.NextHop))},sender={Ipv6Text(Ipv6NeighbourAddresses.Sender)})",
        DatapathActionKind.ResolveNeighbour => $"resolve_neighbour(port={Port},next_hop=0x{(uint)Value:x8},sender=0x{(uint)(Value >> 32):x8})",
        DatapathActionKind.Recirculate => $"recirculate(table={(byte)Port},ct_state=0x{(byte)(Port >> 8):x2},metadata=0x{Value:x})",
        _ => Kind.ToString(),
    };
}
