namespace Sdn.Fabric.Edge.Datapath;

/// <summary>One step of a compiled action list; which operands matter depends on <see cref="Kind"/>.</summary>
public readonly record struct DatapathAction(DatapathActionKind Kind, uint Port = 0, HeaderField Field = default, ulong Value = 0)
{
    public override string ToString() => Kind switch
    {
        DatapathActionKind.Output => $"output:{Port}",
        DatapathActionKind.SetField => $"set({Field}=0x{Value:x})",
        DatapathActionKind.Punt => $"punt(reason={Value})",
        DatapathActionKind.PushMpls when Value >> 16 != 0 => $"{Kind}(0x{(ushort)Value:x4},label={Value >> 16})",
        DatapathActionKind.PushMpls or DatapathActionKind.PopMpls or DatapathActionKind.PushVlan => $"{Kind}(0x{Value:x4})",
        DatapathActionKind.ArpReply => $"arp_reply(0x{Value:x12})",
        _ => Kind.ToString(),
    };
}
