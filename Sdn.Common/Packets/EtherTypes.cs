namespace Sdn.Common.Packets;

/// <summary>The EtherType values the fabric understands (IEEE registry).</summary>
public static class EtherTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    public const ushort Vlan = 0x8100;
    public const ushort Ipv6 = 0x86DD;
    public const ushort MplsUnicast = 0x8847;
    public const ushort MplsMulticast = 0x8848;

    /// <summary>The 802.1ad service tag, the outer tag of QinQ.</summary>
    public const ushort ServiceVlan = 0x88A8;

    /// <summary>Values below this are 802.3 lengths, not EtherTypes.</summary>
    public const ushort MinimumEtherType = 0x0600;

    public static bool IsVlanTag(ushort etherType) => etherType is Vlan or ServiceVlan;

    public static bool IsMpls(ushort etherType) => etherType is MplsUnicast or MplsMulticast;
}
