namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>The Ethernet types the pipeline's actions name.</summary>
public static class EthTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort Ipv6 = 0x86DD;
    public const ushort MplsUnicast = 0x8847;
}
