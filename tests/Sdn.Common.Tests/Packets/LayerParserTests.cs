using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

/// <summary>Every layer's parser, truncated at every length and with bad length or version fields.</summary>
public class LayerParserTests
{
    private static readonly byte[] Ipv4Udp = TestFrames.Build(Encapsulation.None, NetworkLayer.Ipv4WithOptions, Transport.Udp);
    private static readonly byte[] Ipv6Tcp = TestFrames.Build(Encapsulation.None, NetworkLayer.Ipv6WithExtensions, Transport.Tcp);
    private static readonly byte[] Ipv6Icmp = TestFrames.Build(Encapsulation.None, NetworkLayer.Ipv6, Transport.IcmpEcho);
    private static readonly byte[] QinQ = TestFrames.Build(Encapsulation.QinQ, NetworkLayer.Ipv4, Transport.Udp);
    private static readonly byte[] Mpls = TestFrames.Build(Encapsulation.Mpls, NetworkLayer.Ipv4, Transport.Udp);

    private static readonly Dictionary<string, LayerCase> Cases = new LayerCase[]
    {
        new("ethernet", b => EthernetHeader.Parse(b, out _), Ipv4Udp, EthernetHeader.Size),
        new("vlan", b => VlanTag.Parse(b, out _), QinQ[14..], VlanTag.Size),
        new("mpls", b => MplsHeader.Parse(b, out _), Mpls[14..], 3 * MplsLabelStackEntry.Size),
        new("arp", b => ArpPacket.Parse(b, out _), TestFrames.Arp()[14..], ArpPacket.Size),
        new("ipv4", b => Ipv4Header.Parse(b, out _), Ipv4Udp[14..], Ipv4Udp.Length - 14),
        new("ipv6", b => Ipv6Header.Parse(b, out _), Ipv6Tcp[14..], Ipv6Tcp.Length - 14),
        new("ipv6-extensions", b => Ipv6ExtensionChain.Parse(IpProtocols.Ipv6HopByHop, b, out _), Ipv6Tcp[54..], 16),
        new("udp", b => UdpHeader.Parse(b, out _), Ipv4Udp[42..], Ipv4Udp.Length - 42),
        new("tcp", b => TcpHeader.Parse(b, out _), Ipv6Tcp[70..], TcpHeader.MinimumSize + 4),
        new("icmp", b => IcmpHeader.Parse(b, out _), Ipv6Icmp[54..], IcmpHeader.Size),
    }.ToDictionary(c => c.Layer);

    public static TheoryData<string> Layers => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_layer_reports_each_truncation_and_never_throws(string layer) => Cases[layer].AssertTruncationSweep();

    [Theory]
    [InlineData("ipv4", 0, 0x65, ParseStatus.Malformed)] // version 6 in an IPv4 header
    [InlineData("ipv4", 0, 0x44, ParseStatus.Malformed)] // IHL 4, shorter than the fixed header
    [InlineData("ipv4", 0, 0x4F, ParseStatus.Malformed)] // IHL 15: a 60-byte header in a 48-byte total length
    [InlineData("ipv4", 3, 0x10, ParseStatus.Malformed)] // total length 16 < 28-byte header
    [InlineData("ipv4", 2, 0x01, ParseStatus.Truncated)] // total length beyond the bytes
    [InlineData("ipv6", 0, 0x46, ParseStatus.Malformed)] // version 4 in an IPv6 header
    [InlineData("ipv6", 4, 0x01, ParseStatus.Truncated)] // payload length beyond the bytes
    [InlineData("ipv6-extensions", 1, 0x20, ParseStatus.Truncated)] // hop-by-hop header length beyond the bytes
    [InlineData("udp", 5, 0x07, ParseStatus.Malformed)] // UDP length 7 < 8
    [InlineData("udp", 4, 0x01, ParseStatus.Truncated)] // UDP length beyond the bytes
    [InlineData("tcp", 12, 0x40, ParseStatus.Malformed)] // data offset 4 < 5
    [InlineData("tcp", 12, 0xF0, ParseStatus.Truncated)] // data offset 15, beyond the bytes
    [InlineData("arp", 1, 0x06, ParseStatus.Malformed)] // hardware type 6 (IEEE 802), not Ethernet
    [InlineData("arp", 3, 0xDD, ParseStatus.Malformed)] // protocol type 0x08DD, not IPv4
    [InlineData("arp", 5, 0x10, ParseStatus.Malformed)] // protocol address length 16
    public void Bad_length_and_version_fields_are_reported(string layer, int index, byte value, ParseStatus expected) =>
        Cases[layer].AssertWithByte(index, value, expected);

    [Fact]
    public void An_mpls_stack_without_a_bottom_is_truncated_and_one_deeper_than_the_bound_is_malformed()
    {
        var noBottom = new byte[4 * MplsHeader.MaxDepth];
        Assert.Equal(ParseStatus.Truncated, MplsHeader.Parse(noBottom.AsSpan(0, 12), out _));
        Assert.Equal(ParseStatus.Malformed, MplsHeader.Parse(noBottom, out _));
    }

    [Fact]
    public void An_ipv6_extension_chain_longer_than_its_bound_is_malformed()
    {
        var chain = new byte[8 * (Ipv6ExtensionChain.MaxHeaders + 1)];
        for (var i = 0; i < Ipv6ExtensionChain.MaxHeaders + 1; i++)
        {
            chain[i * 8] = IpProtocols.Ipv6DestinationOptions;
        }

        Assert.Equal(ParseStatus.Malformed, Ipv6ExtensionChain.Parse(IpProtocols.Ipv6DestinationOptions, chain, out _));
    }
}
