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

    private const ulong EthernetMask = (1UL << 48) - 1;

    public override string ToString() => Kind switch
    {
        DatapathActionKind.Output => $"output:{Port}",
        DatapathActionKind.SetField => $"set({Field}=0x{Value:x})",
        DatapathActionKind.Punt => $"punt(reason={Value})",
        DatapathActionKind.PushMpls when Value >> 16 != 0 => $"{Kind}(0x{(ushort)Value:x4},label={Value >> 16})",
        DatapathActionKind.PushMpls or DatapathActionKind.PopMpls or DatapathActionKind.PushVlan => $"{Kind}(0x{Value:x4})",
        DatapathActionKind.DropSpoofed => "drop(port_security)",
        DatapathActionKind.ArpReply => $"arp_reply(0x{Value:x12})",
        DatapathActionKind.NdReply => $"nd_reply(0x{Value & EthernetMask:x12}{((Value & NdRouterFlag) != 0 ? ",router" : string.Empty)})",
        _ => Kind.ToString(),
    };
}
