using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Core.Tests.Packets;

public class FlowKeyTests
{
    [Fact]
    public void Each_field_keeps_its_value_without_disturbing_its_neighbours()
    {
        var key = new FlowKey
        {
            InPort = 0xDEADBEEF,
            EthType = 0x86DD,
            VlanTci = 0x1FFF,
            Metadata = 0x0123456789ABCDEF,
            EthDst = 0xFFFF_FFFF_FFFF,
            IpProto = 0xFF,
            IpDscp = 0x3F,
            IpEcn = 0x3,
            EthSrc = 0x0011_2233_4455,
            IpTtl = 64,
            IpFrag = IpFragment.IsFragment | IpFragment.LaterFragment,
            Ipv4Src = 0x0A000001,
            Ipv4Dst = 0x0A000002,
            Ipv6Src = new UInt128(0x2001_0db8_0000_0000, 1),
            Ipv6Dst = new UInt128(0xfe80_0000_0000_0000, 2),
            L4Src = 1234,
            L4Dst = 80,
            MplsTopEntry = new MplsLabelStackEntry(1000, 3, true, 7).Encoded,
            ArpOp = 2,
            IcmpType = 8,
            IcmpCode = 1,
            OuterVlanTci = 0x1064,
            MplsDepth = 3,
        };
        for (var r = 0; r < 8; r++)
        {
            key.SetRegister(r, (uint)(r + 1) * 0x11111111u);
        }

        Assert.Equal(0xDEADBEEFu, key.InPort);
        Assert.Equal(0x86DD, key.EthType);
        Assert.Equal(0x1FFF, key.VlanTci);
        Assert.Equal(0x0123456789ABCDEFul, key.Metadata);
        Assert.Equal(0xFFFF_FFFF_FFFFul, key.EthDst);
        Assert.Equal(0xFF, key.IpProto);
        Assert.Equal(0x3F, key.IpDscp);
        Assert.Equal(0x3, key.IpEcn);
        Assert.Equal(0x0011_2233_4455ul, key.EthSrc);
        Assert.Equal(64, key.IpTtl);
        Assert.Equal(IpFragment.IsFragment | IpFragment.LaterFragment, key.IpFrag);
        Assert.Equal(0x0A000001u, key.ArpSpa);
        Assert.Equal(0x0A000002u, key.ArpTpa);
        Assert.Equal(new UInt128(0x2001_0db8_0000_0000, 1), key.Ipv6Src);
        Assert.Equal(new UInt128(0xfe80_0000_0000_0000, 2), key.Ipv6Dst);
        Assert.Equal(1234, key.L4Src);
        Assert.Equal(80, key.L4Dst);
        Assert.Equal(1000u, key.MplsLabel);
        Assert.Equal(3, key.MplsTc);
        Assert.True(key.MplsBos);
        Assert.Equal(2, key.ArpOp);
        Assert.Equal(8, key.IcmpType);
        Assert.Equal(1, key.IcmpCode);
        Assert.Equal(0x1064, key.OuterVlanTci);
        Assert.Equal(3, key.MplsDepth);
        for (var r = 0; r < 8; r++)
        {
            Assert.Equal((uint)(r + 1) * 0x11111111u, key.Register(r));
        }

        Assert.Equal(0ul, key.ReadOnlyWords[15]);
    }

    [Fact]
    public void Setting_a_field_truncates_to_its_width()
    {
        var key = new FlowKey { IpDscp = 0xFF };

        Assert.Equal(0x3F, key.IpDscp);
        Assert.Equal(0, key.IpEcn);
    }

    [Fact]
    public void Masked_match_compares_only_the_masked_bits()
    {
        var rule = new FlowKey { Ipv4Dst = 0x0A000000, IpProto = 6 };
        var mask = new FlowKey { Ipv4Dst = 0xFFFFFF00, IpProto = 0xFF };
        var inside = new FlowKey { Ipv4Dst = 0x0A000042, IpProto = 6, L4Dst = 22, InPort = 5 };
        var outside = new FlowKey { Ipv4Dst = 0x0A000142, IpProto = 6 };
        var otherProto = new FlowKey { Ipv4Dst = 0x0A000042, IpProto = 17 };

        Assert.True(inside.MatchesMasked(mask, rule));
        Assert.False(outside.MatchesMasked(mask, rule));
        Assert.False(otherProto.MatchesMasked(mask, rule));
        Assert.Equal(rule, inside.And(mask));
    }

    [Fact]
    public void Equal_keys_hash_equally_and_one_bit_changes_the_hash()
    {
        var a = new FlowKey { Ipv4Src = 1, L4Dst = 53 };
        var b = new FlowKey { Ipv4Src = 1, L4Dst = 53 };
        var c = new FlowKey { Ipv4Src = 1, L4Dst = 52 };

        Assert.Equal(a, b);
        Assert.Equal(a.Hash64(), b.Hash64());
        Assert.NotEqual(a, c);
        Assert.NotEqual(a.Hash64(), c.Hash64());
    }
}
