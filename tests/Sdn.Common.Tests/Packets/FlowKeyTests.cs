using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

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
    public void The_nd_target_shares_word_8_with_the_ipv4_addresses_and_fills_word_15()
    {
        var key = new FlowKey { Ipv6Src = UInt128.MaxValue, L4Src = 1, NdTarget = new UInt128(0xFD00_0000_0000_0000, 0x0000_0000_0000_0001) };

        Assert.Equal(0xFD00_0000_0000_0000ul, key.ReadOnlyWords[8]);
        Assert.Equal(1ul, key.ReadOnlyWords[15]);
        Assert.Equal(0xFD00_0000u, key.Ipv4Dst);
        Assert.Equal(UInt128.MaxValue, key.Ipv6Src);
        Assert.Equal(1, key.L4Src);
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

    [Fact]
    public void Grouped_setters_write_what_the_single_fields_would_and_keep_the_neighbours()
    {
        var neighbours = new FlowKey
        {
            EthDst = 0xFFFF_FFFF_FFFF,
            EthSrc = 0x0011_2233_4455,
            IpFrag = IpFragment.IsFragment,
            MplsTopEntry = 0xDEAD_BEEF,
            IpProto = 1,
            IpTtl = 1,
            L4Src = 1,
        };
        var grouped = neighbours;
        grouped.SetIpHeader(proto: 17, dscp: 0x2E, ecn: 2, ttl: 63);
        grouped.SetIpv4Addresses(0x0A00_0001, 0xC0A8_0102);
        grouped.SetL4Ports(5353, 443);

        var single = neighbours;
        single.IpProto = 17;
        single.IpDscp = 0x2E;
        single.IpEcn = 2;
        single.IpTtl = 63;
        single.Ipv4Src = 0x0A00_0001;
        single.Ipv4Dst = 0xC0A8_0102;
        single.L4Src = 5353;
        single.L4Dst = 443;

        Assert.Equal(single, grouped);
        Assert.Equal(0xFFFF_FFFF_FFFFul, grouped.EthDst);
        Assert.Equal(IpFragment.IsFragment, grouped.IpFrag);
        Assert.Equal(0xDEAD_BEEFu, grouped.MplsTopEntry);
    }

    [Fact]
    public void Every_bit_of_every_word_changes_the_hash()
    {
        var zero = default(FlowKey).Hash64();
        var seen = new HashSet<ulong> { zero };
        for (var word = 0; word < FlowKey.WordCount; word++)
        {
            for (var bit = 0; bit < 64; bit++)
            {
                var key = default(FlowKey);
                key.Words[word] = 1UL << bit;
                Assert.True(seen.Add(key.Hash64()), $"word {word} bit {bit} hashes like another one-bit key");
            }
        }
    }
}
