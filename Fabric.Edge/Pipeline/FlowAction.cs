using Sdn.Common.Packets;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One OpenFlow action. Create them with the static factories; operands depend on <see cref="Kind"/>.</summary>
public readonly record struct FlowAction
{
    private FlowAction(FlowActionKind kind, uint operand = 0, ulong value = 0, HeaderField field = default)
    {
        Kind = kind;
        Operand = operand;
        Value = value;
        Field = field;
    }

    public FlowActionKind Kind { get; }

    /// <summary>The port of output/mirror, or the group id.</summary>
    public uint Operand { get; }

    /// <summary>The value of a set action, the Ethernet type of a push/pop, or the MAC of the ARP responder.</summary>
    public ulong Value { get; }

    public HeaderField Field { get; }

    public static FlowAction Output(uint port) => new(FlowActionKind.Output, port);

    public static FlowAction Group(uint groupId) => new(FlowActionKind.Group, groupId);

    public static FlowAction Drop() => new(FlowActionKind.Drop);

    /// <summary>Sends the packet to the controller as a packet-in with reason "action" (rate-limited).</summary>
    public static FlowAction Controller() => new(FlowActionKind.Controller);

    public static FlowAction PushMpls(ushort ethType = EtherTypes.MplsUnicast) => new(FlowActionKind.PushMpls, value: ethType);

    /// <summary>Pops the top MPLS entry; <paramref name="ethType"/> names what follows once the stack is empty.</summary>
    public static FlowAction PopMpls(ushort ethType) => new(FlowActionKind.PopMpls, value: ethType);

    public static FlowAction SetMplsLabel(uint label) => SetField(HeaderField.MplsLabel, label);

    public static FlowAction SetMplsTc(byte tc) => SetField(HeaderField.MplsTc, tc);

    public static FlowAction SetMplsTtl(byte ttl) => SetField(HeaderField.MplsTtl, ttl);

    public static FlowAction DecMplsTtl() => new(FlowActionKind.DecMplsTtl);

    /// <summary>Pushes an 802.1Q tag with VID 0; follow it with a set of <see cref="HeaderField.VlanVid"/>.</summary>
    public static FlowAction PushVlan(ushort tpid = EtherTypes.Vlan) => new(FlowActionKind.PushVlan, value: tpid);

    public static FlowAction PopVlan() => new(FlowActionKind.PopVlan);

    public static FlowAction SetField(HeaderField field, ulong value) => new(FlowActionKind.SetField, value: value, field: field);

    public static FlowAction DecIpTtl() => new(FlowActionKind.DecIpTtl);

    /// <summary>Answers the ARP request with <paramref name="mac"/> and sends the reply back out of the ingress port.</summary>
    public static FlowAction ArpResponder(ulong mac) => new(FlowActionKind.ArpResponder, value: mac);

    /// <summary>Sends a copy of the packet as it arrived (before any rewrite) to <paramref name="port"/>.</summary>
    public static FlowAction Mirror(uint port) => new(FlowActionKind.Mirror, port);

    public override string ToString() => Kind switch
    {
        FlowActionKind.Output => Operand == PortNumbers.InPort ? "output:in_port" : $"output:{Operand}",
        FlowActionKind.Group => $"group:{Operand}",
        FlowActionKind.Mirror => $"mirror:{Operand}",
        FlowActionKind.SetField => $"set_field:{Field}=0x{Value:x}",
        FlowActionKind.PushMpls or FlowActionKind.PopMpls or FlowActionKind.PushVlan => $"{Kind}:0x{Value:x4}",
        FlowActionKind.ArpResponder => $"arp_responder:0x{Value:x12}",
        _ => Kind.ToString(),
    };
}
