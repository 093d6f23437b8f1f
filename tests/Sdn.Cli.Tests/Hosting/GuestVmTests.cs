using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Contracts;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>What a VM's guest learns of its NIC from the port's addressing.</summary>
public sealed class GuestVmTests
{
    [Fact]
    public void A_dual_stack_port_gives_the_guest_both_addresses_and_both_gateways()
    {
        var nic = GuestVm.NicFor("02:5d:00:00:00:07", new PortAddress
        {
            Ipv4 = "10.0.1.7",
            PrefixLength = 24,
            Gateway = "10.0.1.1",
            Ipv6 = "fd00:1::7",
            Ipv6PrefixLength = 64,
            Ipv6Gateway = "fd00:1::1",
        });

        Assert.Equal(new byte[] { 0x02, 0x5d, 0, 0, 0, 7 }, nic.Mac);
        Assert.Equal((IPAddress.Parse("10.0.1.7"), 24, IPAddress.Parse("10.0.1.1")), (nic.Address, nic.PrefixLength, nic.Gateway));
        Assert.NotNull(nic.Ipv6);
        Assert.Equal((IPAddress.Parse("fd00:1::7"), 64, IPAddress.Parse("fd00:1::1")), (nic.Ipv6.Address, nic.Ipv6.PrefixLength, nic.Ipv6.Gateway));
    }

    [Fact]
    public void A_port_without_ipv6_or_gateways_gives_the_guest_none()
    {
        var nic = GuestVm.NicFor("02:5d:00:00:00:08", new PortAddress { Ipv4 = "10.0.1.8", PrefixLength = 24 });

        Assert.Equal(IPAddress.Any, nic.Gateway);
        Assert.Null(nic.Ipv6);
    }
}
