using System.Net;
using System.Net.Sockets;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>The loopback addresses of udp link ends: never one that another fabric, in this process or another, holds.</summary>
public sealed class LoopbackUnderlayTests
{
    // High in the range and apart per test, so that no fabric of a test run in parallel is on these addresses.
    private readonly int _lastIndex = Random.Shared.Next(0x8000, 0xF000);

    [Fact]
    public void An_address_whose_port_6635_another_process_holds_is_skipped_for_the_next()
    {
        using var otherProcess = Bound(new IPEndPoint(LoopbackUnderlay.AddressOf(_lastIndex + 1), MplsInUdpLink.UdpPort));

        using var reservation = new LoopbackUnderlay(_lastIndex).Reserve();

        Assert.Equal(new IPEndPoint(LoopbackUnderlay.AddressOf(_lastIndex + 2), MplsInUdpLink.UdpPort), reservation.EndPoint);
    }

    [Fact]
    public void A_reserved_port_stays_taken_as_its_socket_becomes_the_link_ends_and_is_taken_back_once_the_end_is_gone()
    {
        using var reservation = new LoopbackUnderlay(_lastIndex).Reserve();
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.Throws<SocketException>(() => Bound(reservation.EndPoint)).SocketErrorCode);

        using (var end = new MplsInUdpLink("e1--c1", new MplsInUdpLinkOptions(reservation.EndPoint, new IPEndPoint(IPAddress.Loopback, MplsInUdpLink.UdpPort)), reservation.HandOver()))
        {
            Assert.Equal(reservation.EndPoint, end.LocalEndPoint);
            Assert.Equal(SocketError.AddressAlreadyInUse, Assert.Throws<SocketException>(() => Bound(reservation.EndPoint)).SocketErrorCode);
            Assert.False(reservation.TryTakeBack());
        }

        Assert.True(reservation.TryTakeBack());
        Assert.Throws<SocketException>(() => Bound(reservation.EndPoint));
    }

    [Fact]
    public void Two_fabrics_in_one_process_run_the_same_udp_link_on_four_addresses_of_their_own()
    {
        var underlay = new LoopbackUnderlay(_lastIndex);
        using var fabric1 = new LinkEnds(underlay);
        using var fabric2 = new LinkEnds(underlay);

        var ends = new[] { fabric1, fabric2 }.SelectMany(links => new[] { links.Create("e1", UdpEnd("c1")), links.Create("c1", UdpEnd("e1")) }).Cast<MplsInUdpLink>().ToList();
        try
        {
            Assert.Equal(4, ends.Select(e => e.LocalEndPoint).Distinct().Count());
            Assert.All(ends, e => Assert.Equal(MplsInUdpLink.UdpPort, e.LocalEndPoint.Port));
        }
        finally
        {
            ends.ForEach(e => e.Dispose());
        }
    }

    private static PortConfig UdpEnd(string peer) => new()
    {
        Number = 1,
        Name = "e1--c1",
        Link = new LinkEndConfig { Link = "e1--c1", Kind = LinkKind.Udp, PeerNode = peer, PeerInterface = "e1--c1" },
    };

    private static Socket Bound(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
