using System.Buffers.Binary;
using System.Net;
using Sdn.Common.Packets;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One OpenFlow action. Create them with the static factories; operands depend on <see cref="Kind"/>.</summary>
public readonly record struct PipelineAction
{
    private PipelineAction(
        PipelineActionKind kind, uint operand = 0, ulong value = 0, HeaderField field = default, UInt128 address = default, DhcpOffer offer = default, NatTranslation? translation = null)
    {
        Offer = offer;
        CtTranslation = translation;
        Kind = kind;
        Operand = operand;
        Value = value;
        Field = field;
        Address = address;
    }

    public PipelineActionKind Kind { get; }

    /// <summary>The port of output/mirror, the group id, or 1 for an ND responder that answers as a router.</summary>
    public uint Operand { get; }

    /// <summary>The value of a set action, the Ethernet type of a push/pop, or the MAC of the ARP or ND responder.</summary>
    public ulong Value { get; }

    public HeaderField Field { get; }

    /// <summary>The target address the ND responder answers for.</summary>
    public UInt128 Address { get; }

    /// <summary>The lease the DHCP responder hands out.</summary>
    public DhcpOffer Offer { get; }

    public static PipelineAction Output(uint port) => new(PipelineActionKind.Output, port);

    public static PipelineAction Group(uint groupId) => new(PipelineActionKind.Group, groupId);

    public static PipelineAction Drop() => new(PipelineActionKind.Drop);

    /// <summary>Drops the packet as port security's: counted per packet, in its ingress port's spoofed frames.</summary>
    public static PipelineAction DropSpoofed() => new(PipelineActionKind.DropSpoofed);

    /// <summary>Sends the packet to the controller as a packet-in with reason "action" (rate-limited).</summary>
    public static PipelineAction Controller() => new(PipelineActionKind.Controller);

    public static PipelineAction PushMpls(ushort ethType = EtherTypes.MplsUnicast) => new(PipelineActionKind.PushMpls, value: ethType);

    /// <summary>Pops the top MPLS entry; <paramref name="ethType"/> names what follows once the stack is empty.</summary>
    public static PipelineAction PopMpls(ushort ethType) => new(PipelineActionKind.PopMpls, value: ethType);

    public static PipelineAction SetMplsLabel(uint label) => SetField(HeaderField.MplsLabel, label);

    public static PipelineAction SetMplsTc(byte tc) => SetField(HeaderField.MplsTc, tc);

    public static PipelineAction SetMplsTtl(byte ttl) => SetField(HeaderField.MplsTtl, ttl);

    public static PipelineAction DecMplsTtl() => new(PipelineActionKind.DecMplsTtl);

    /// <summary>Pushes an 802.1Q tag with VID 0; follow it with a set of <see cref="HeaderField.VlanVid"/>.</summary>
    public static PipelineAction PushVlan(ushort tpid = EtherTypes.Vlan) => new(PipelineActionKind.PushVlan, value: tpid);

    public static PipelineAction PopVlan() => new(PipelineActionKind.PopVlan);

    public static PipelineAction SetField(HeaderField field, ulong value) => new(PipelineActionKind.SetField, value: value, field: field);

    public static PipelineAction DecIpTtl() => new(PipelineActionKind.DecIpTtl);

    /// <summary>Answers the ARP request with <paramref name="mac"/> and sends the reply back out of the ingress port.</summary>
    public static PipelineAction ArpResponder(ulong mac) => new(PipelineActionKind.ArpResponder, value: mac);

    /// <summary>
    /// Answers a neighbour solicitation for <paramref name="target"/> with an advertisement from <paramref name="mac"/>
    /// (solicited, override, and router when <paramref name="router"/>), sent back out of the ingress port.
    /// </summary>
    public static PipelineAction NdResponder(UInt128 target, ulong mac, bool router = false) =>
        new(PipelineActionKind.NdResponder, router ? 1u : 0u, mac, address: target);

    /// <summary>Answers a DHCP DISCOVER or REQUEST with the OFFER or ACK of <paramref name="offer"/>, sent back out of the ingress port.</summary>
    public static PipelineAction DhcpResponder(DhcpOffer offer) => new(PipelineActionKind.DhcpResponder, offer: offer);

    /// <summary>
    /// Open vSwitch's ct(): looks the packet up in the connection tracker's <paramref name="zone"/>, so that the actions
    /// after it and the tables after it match on its ct_state. With <paramref name="commit"/>, a new connection is added
    /// to the tracker. With <paramref name="table"/>, the packet goes on in that table (which may be this one: its
    /// ct_state is now tracked) after the entry's actions, as after a recirculation, instead of by the entry's goto.
    /// </summary>
    /// <remarks>
    /// With <paramref name="nat"/>, the packet is rewritten as its connection's translation says (Open vSwitch's
    /// ct(nat)): SNAT or DNAT one way, undone the other way. With <paramref name="translation"/> too, a new connection
    /// is translated so (ct(commit,nat(src=…))). A source translation needs <paramref name="commit"/> (only a commit
    /// takes its port); a destination translation without it rewrites a new connection's packet now and is kept for
    /// the commit that admits it later, here or after a recirculation (ct(nat(dst=…)), then ct(commit)). The actions and tables
    /// after it in this pass match the fields as they were before the rewrite: the translation is the tracker's, per
    /// packet, not the flow's. With <paramref name="nat"/> and <paramref name="table"/>, the packet is instead parsed
    /// again as rewritten and goes on in that table, as after Open vSwitch's recirculation: its metadata and ct_state
    /// as they are, reg0 the zone its connection was committed in, the entry's other actions and goto not run.
    /// </remarks>
    /// <exception cref="ArgumentException">A source translation without commit, or one that <see cref="NatTranslation.Problem"/> refuses.</exception>
    public static PipelineAction Ct(ushort zone, bool commit = false, byte? table = null, bool nat = false, NatTranslation? translation = null)
    {
        if (translation is { } given && ((!commit && given.Side == NatSide.Source) || given.Problem is not null))
        {
            throw new ArgumentException(given.Problem ?? $"ct nat({given}) takes a port only a commit holds: it needs commit", nameof(translation));
        }

        var flags = (commit ? CtCommitFlag : 0) | (table is { } t ? CtTableFlag | ((ulong)t << 8) : 0) | (nat || translation is not null ? CtNatFlag : 0);
        return new(PipelineActionKind.Ct, zone, flags, translation: translation);
    }

    /// <summary>The zone of a <see cref="PipelineActionKind.Ct"/>.</summary>
    public ushort CtZone => (ushort)Operand;

    /// <summary>Whether a <see cref="PipelineActionKind.Ct"/> commits a new connection.</summary>
    public bool CtCommit => (Value & CtCommitFlag) != 0;

    /// <summary>The table a <see cref="PipelineActionKind.Ct"/> goes on in; null when it goes on as the entry says.</summary>
    public byte? CtTable => (Value & CtTableFlag) != 0 ? (byte)(Value >> 8) : null;

    /// <summary>Whether a <see cref="PipelineActionKind.Ct"/> rewrites the packet as its connection's translation says.</summary>
    public bool CtNat => (Value & CtNatFlag) != 0;

    /// <summary>What a <see cref="PipelineActionKind.Ct"/> that commits translates a new connection to; null for none.</summary>
    public NatTranslation? CtTranslation { get; }

    private const ulong CtCommitFlag = 1;
    private const ulong CtTableFlag = 2;
    private const ulong CtNatFlag = 4;

    /// <summary>
    /// Remembers an ARP packet's sender (IPv4 and MAC), or the link-layer address an IPv6 neighbour solicitation (its
    /// source's) or advertisement (its target's) carries, as a neighbour beyond the ingress port; the actions after it
    /// go on, except after a solicitation or advertisement RFC 4861 §7.1 says to discard, which is dropped and counted.
    /// </summary>
    public static PipelineAction LearnNeighbour() => new(PipelineActionKind.LearnNeighbour);

    /// <summary>
    /// Addresses the packet to <paramref name="nextHop"/> (0: its own IPv4 destination) beyond <paramref name="port"/>,
    /// with the MAC the port's learned neighbours hold for it; when they hold none, the packet becomes an ARP request
    /// for it from its source MAC and <paramref name="sender"/>, sent where the packet would have gone, as OVN's arp
    /// action does (the packet is lost; its sender's retry finds the neighbour learned).
    /// </summary>
    public static PipelineAction ResolveNeighbour(uint port, uint nextHop, uint sender) =>
        new(PipelineActionKind.ResolveNeighbour, port, nextHop | ((ulong)sender << 32));

    /// <summary>
    /// As <see cref="ResolveNeighbour(uint, uint, uint)"/> for IPv6 (:: for the packet's own destination): an unknown
    /// next hop is asked for with a neighbour solicitation. The addresses are numbered in <see cref="Ipv6AddressBook"/>;
    /// throws <see cref="InvalidOperationException"/> when it is full.
    /// </summary>
    public static PipelineAction ResolveNeighbour(uint port, UInt128 nextHop, UInt128 sender) =>
        new(PipelineActionKind.ResolveNeighbour, port, (nextHop == UInt128.Zero ? 0 : Number(nextHop) + 1) | ((ulong)Number(sender) << 32), HeaderField.Ipv6DstHigh);

    /// <summary>
    /// The frame as the actions before left it arrives again on <paramref name="port"/>: parsed afresh and run from table
    /// 0 with nothing of this pass; the pass ends here.
    /// </summary>
    public static PipelineAction Loopback(uint port) => new(PipelineActionKind.Loopback, port);

    /// <summary>Sends a copy of the packet as it arrived (before any rewrite) to <paramref name="port"/>.</summary>
    public static PipelineAction Mirror(uint port) => new(PipelineActionKind.Mirror, port);

    public override string ToString() => Kind switch
    {
        PipelineActionKind.Output => Operand == PortNumbers.InPort ? "output:in_port" : $"output:{Operand}",
        PipelineActionKind.Group => $"group:{Operand}",
        PipelineActionKind.Mirror => $"mirror:{Operand}",
        PipelineActionKind.SetField => $"set_field:{Field}=0x{Value:x}",
        PipelineActionKind.PushMpls or PipelineActionKind.PopMpls or PipelineActionKind.PushVlan => $"{Kind}:0x{Value:x4}",
        PipelineActionKind.DropSpoofed => "drop(port_security)",
        PipelineActionKind.ArpResponder => $"arp_responder:0x{Value:x12}",
        PipelineActionKind.NdResponder => $"nd_responder{(Operand != 0 ? "(router)" : string.Empty)}:{AddressText()}->0x{Value:x12}",
        PipelineActionKind.DhcpResponder => $"dhcp_responder:{Offer}",
        PipelineActionKind.LearnNeighbour => "learn_neighbour",
        PipelineActionKind.ResolveNeighbour when Field == HeaderField.Ipv6DstHigh =>
            $"resolve_neighbour(port={Operand},next_hop={((uint)Value == 0 ? "destination" : Ipv6Text(Ipv6AddressBook.Address((uint)Value - 1)))},sender={Ipv6Text(Ipv6AddressBook.Address((uint)(Value >> 32)))})",
        PipelineActionKind.ResolveNeighbour => $"resolve_neighbour(port={Operand},next_hop={Ipv4Text((uint)Value)},sender={Ipv4Text((uint)(Value >> 32))})",
        PipelineActionKind.Loopback => $"loopback:{Operand}",
        PipelineActionKind.Ct => $"ct({(CtCommit ? "commit," : string.Empty)}zone={CtZone}{(CtTable is { } table ? $",table={table}" : string.Empty)}{NatText()})",
        _ => Kind.ToString(),
    };

    private static string Ipv4Text(uint address) => address == 0 ? "destination" : new IPAddress(BinaryPrimitives.ReverseEndianness(address)).ToString();

    private string NatText() => CtTranslation is { } translation ? $",nat({translation})" : CtNat ? ",nat" : string.Empty;

    private static uint Number(UInt128 address) =>
        Ipv6AddressBook.TryNumber(address, out var number) ? number : throw new InvalidOperationException($"the edge names {Ipv6AddressBook.Capacity} IPv6 addresses in its actions at most");

    private static string Ipv6Text(UInt128 address)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }

    private string AddressText() => Ipv6Text(Address);
}
