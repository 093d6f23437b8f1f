using System.Buffers.Binary;
using System.Net;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Tests.Guests;

/// <summary>The boot-info page against the byte offsets docs/vmm.md documents, written out here rather than taken from <see cref="BootInfo"/>.</summary>
public class BootInfoTests
{
    [Fact]
    public void Version_2_gives_each_nic_64_bytes_with_its_ipv6_addressing_after_the_ipv4_fields()
    {
        using var memory = new GuestMemory(2 << 20);
        var dualStack = new NicInfo(
            NicInfo.LocalMac(1), IPAddress.Parse("10.0.1.5"), 24, IPAddress.Parse("10.0.1.1"), new NicIpv6(IPAddress.Parse("fd00:1::5"), 64, IPAddress.Parse("fd00:1::1")));
        var ipv4Only = new NicInfo(NicInfo.LocalMac(2), IPAddress.Parse("10.0.2.5"), 16, IPAddress.Any);

        BootInfo.Write(memory, 1_000_000, 0x10_0000, GuestApp.Echo, [7], [(dualStack, 0xD000_0000, 5, 1500), (ipv4Only, 0xD000_1000, 6, 9000)]);

        var page = memory.Slice(0x3000, 0x1000);
        Assert.Equal(0x424E_4453u, BinaryPrimitives.ReadUInt32LittleEndian(page));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(page[0x04..]));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(page[0x24..]));
        Assert.Equal(7ul, BinaryPrimitives.ReadUInt64LittleEndian(page[0x28..]));

        var first = page.Slice(0x80, 64);
        Assert.Equal(0xD000_0000ul, BinaryPrimitives.ReadUInt64LittleEndian(first));
        Assert.Equal(NicInfo.LocalMac(1), first[0x08..0x0E].ToArray());
        Assert.Equal(24, first[0x0E]);
        Assert.Equal(5, first[0x0F]);
        Assert.Equal([10, 0, 1, 5], first[0x10..0x14].ToArray());
        Assert.Equal([10, 0, 1, 1], first[0x14..0x18].ToArray());
        Assert.Equal(1500, BinaryPrimitives.ReadUInt16LittleEndian(first[0x18..]));
        Assert.Equal(64, first[0x1A]);
        Assert.Equal(IPAddress.Parse("fd00:1::5").GetAddressBytes(), first[0x20..0x30].ToArray());
        Assert.Equal(IPAddress.Parse("fd00:1::1").GetAddressBytes(), first[0x30..0x40].ToArray());

        var second = page.Slice(0x80 + 64, 64);
        Assert.Equal(0xD000_1000ul, BinaryPrimitives.ReadUInt64LittleEndian(second));
        Assert.Equal([10, 0, 2, 5], second[0x10..0x14].ToArray());
        Assert.Equal([0, 0, 0, 0], second[0x14..0x18].ToArray());
        Assert.Equal(9000, BinaryPrimitives.ReadUInt16LittleEndian(second[0x18..]));
        Assert.All(second[0x1A..0x40].ToArray(), b => Assert.Equal(0, b)); // no IPv6: prefix, address and gateway zero
    }

    [Fact]
    public void Ipv6_addressing_with_an_ipv4_address_is_refused_with_a_fix()
    {
        var error = Assert.Throws<VmmException>(() => new NicIpv6(IPAddress.Parse("fd00::5"), 64, IPAddress.Any));

        Assert.Contains("pass IPAddress.IPv6Any for no gateway", error.Message, StringComparison.Ordinal);
    }
}
