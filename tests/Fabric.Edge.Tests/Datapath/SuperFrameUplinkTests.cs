using System.Net;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// A TCP super-frame from a port with offloads, labelled by the pipeline and sent out of an uplink over a real
/// MPLS-in-UDP link: it leaves whole, as one datagram, and the far end of the link gets it back with its offload.
/// </summary>
public class SuperFrameUplinkTests
{
    private const int Payload = 60_000;
    private const ushort Mss = 1448;
    private const uint UplinkNumber = 9;
    private const uint TransportLabel = 100;

    private static int s_lastHost;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_super_frame_leaves_an_mpls_in_udp_uplink_as_one_datagram_and_arrives_with_its_offload(bool ipv6)
    {
        var (near, far) = UdpLinkPair();
        using (near)
        using (far)
        {
            var rig = new SwitchRig().WithActions(PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(TransportLabel), PipelineAction.Output(UplinkNumber));
            var uplink = new UplinkPort(UplinkNumber, near);
            rig.Switch.AddPort(uplink);
            var (frame, offload) = SuperFrames.Tcp(ipv6, Payload, Mss);
            var burst = new PacketBurst(superFrames: true);
            Assert.True(burst.TryAppend(frame, offload));

            rig.Switch.Datapath.Process(1, burst);

            Assert.True(uplink.TakesOffloads);
            Assert.Equal(1L, near.Statistics.TxFrames);
            var arrived = ReceiveOne(far);
            Assert.Equal(offload, arrived.Offload(0));
            var datagram = arrived.Frame(0);
            Assert.Equal(MplsLabelStackEntry.Size + frame.Length, datagram.Length);
            Assert.Equal(TransportLabel, (uint)(datagram[0] << 12 | datagram[1] << 4 | datagram[2] >> 4));
            Assert.Equal(frame, datagram[MplsLabelStackEntry.Size..].ToArray());
        }
    }

    private static (MplsInUdpLink Near, MplsInUdpLink Far) UdpLinkPair()
    {
        var near = new IPEndPoint(NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        var far = new IPEndPoint(NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        return (new MplsInUdpLink("near", new MplsInUdpLinkOptions(near, far)), new MplsInUdpLink("far", new MplsInUdpLinkOptions(far, near)));
    }

    /// <summary>A loopback address of this test process's own (the second octet from its id), fresh for each end.</summary>
    private static IPAddress NextLoopbackAddress()
    {
        var host = Interlocked.Increment(ref s_lastHost);
        return new IPAddress([127, (byte)(180 + (Environment.ProcessId % 50)), (byte)(host >> 8), (byte)(host & 0xFF)]);
    }

    /// <summary>Receives on <paramref name="link"/> into a super-frame burst until a frame arrived or a second passed.</summary>
    private static PacketBurst ReceiveOne(LinkEnd link)
    {
        var burst = new PacketBurst(superFrames: true);
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (burst.Count == 0 && DateTime.UtcNow < deadline)
        {
            if (link.Receive(burst) == 0)
            {
                Thread.Sleep(1);
            }
        }

        Assert.Equal(1, burst.Count);
        return burst;
    }
}
