namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>ARP opcodes (RFC 826).</summary>
public static class ArpOperations
{
    public const ushort Request = 1;
    public const ushort Reply = 2;
}
