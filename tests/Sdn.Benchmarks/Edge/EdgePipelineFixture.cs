using Sdn.Common.Packets;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// A realistic edge: table 0 classifies the port into a network (metadata), table 1 is an ACL, table 2
/// forwards on the destination IP and picks the egress edge, table 3 pushes the transport label and outputs
/// to the uplink. Traffic is 64-byte UDP frames from the VM port to hosts that table 2 knows,
/// a few connections to each.
/// </summary>
internal sealed class EdgePipelineFixture
{
    public const uint VmPort = 1;
    public const uint UplinkPort = 2;
    private const ulong NetworkId = 7;
    private const int EgressEdges = 16;

    /// <summary>How many flows (source ports) the traffic opens to each destination host.</summary>
    private const int ConnectionsPerHost = 4;
    private const byte Classify = 0;
    private const byte Acl = 1;
    private const byte Forward = 2;
    private const byte Output = 3;

    private readonly FrameMix _frames;

    public EdgePipelineFixture(int aclRules, int forwardingEntries, int flows)
    {
        Switch = new EdgeSwitch(4);
        Uplink = new InternalPort(UplinkPort, "uplink");
        Switch.AddPort(new InternalPort(VmPort, "vm"));
        Switch.AddPort(Uplink);
        ForwardingEntries = forwardingEntries;

        var pipeline = Switch.Pipeline;
        pipeline.Apply(FlowEdit.Add(Classify, 10, FlowMatch.Any.InPort(VmPort), FlowInstructions.Goto(Acl).WithMetadata(NetworkId)));
        InstallAcl(pipeline, aclRules);
        for (var i = 0; i < forwardingEntries; i++)
        {
            pipeline.Apply(ForwardingEntry(i));
        }

        for (var edge = 0; edge < EgressEdges; edge++)
        {
            pipeline.Apply(FlowEdit.Add(Output, 10, FlowMatch.Any.Metadata((ulong)edge << 32, 0xFFFF_FFFF_0000_0000),
                FlowInstructions.Apply(PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(1000 + (uint)edge), PipelineAction.Output(UplinkPort))));
        }

        _frames = new FrameMix(Enumerable.Range(0, flows)
            .Select(i => FrameMix.Udp(0x02_00_00_00_FF_FF, 0x02_00_00_00_00_01, 0x0A_00_FF_01, HostAddress(i / ConnectionsPerHost % forwardingEntries), (ushort)(10_000 + i)))
            .ToArray());
    }

    public EdgeSwitch Switch { get; }

    public InternalPort Uplink { get; }

    public int ForwardingEntries { get; }

    /// <summary>How many hosts (forwarding entries 0 on) <paramref name="flows"/> flows of the traffic go to.</summary>
    public static int TrafficHosts(int flows) => (flows + ConnectionsPerHost - 1) / ConnectionsPerHost;

    /// <summary>Fills <paramref name="burst"/> with the next frames of the traffic mix.</summary>
    public int Refill(PacketBurst burst, int next) => _frames.Refill(burst, next);

    /// <summary>The forwarding entry for host <paramref name="index"/>: rewrite the MAC, choose the egress edge.</summary>
    public static FlowEdit ForwardingEntry(int index) =>
        FlowEdit.Add(Forward, 100, FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF).Ipv4Dst(HostAddress(index)),
            FlowInstructions.Goto(Output, PipelineAction.SetField(HeaderField.EthDst, 0x02_00_00_00_00_00UL | (uint)index))
                .WithMetadata((ulong)(index % EgressEdges) << 32, 0xFFFF_FFFF_0000_0000));

    private static uint HostAddress(int index) => 0x0A_00_00_00u | (uint)index;

    /// <summary>
    /// Deny rules on a few shapes (source prefix, destination port, protocol and port, host pair), none of which
    /// the benchmark traffic hits, then an allow-all that goes on to forwarding.
    /// </summary>
    private static void InstallAcl(EdgePipeline pipeline, int rules)
    {
        for (var i = 0; i < rules; i++)
        {
            var match = (i % 4) switch
            {
                0 => FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF).EthType(EtherTypes.Ipv4).Ipv4Src(0xC0A8_0000u | ((uint)i << 8), 24),
                1 => FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF).EthType(EtherTypes.Ipv4).IpProto(6).L4Dst((ushort)(1 + i)),
                2 => FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF).EthType(EtherTypes.Ipv4).IpProto(17).L4Dst((ushort)(1 + i)),
                _ => FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF).EthType(EtherTypes.Ipv4).Ipv4Src(0xAC10_0000u | (uint)i).Ipv4Dst(0xAC11_0000u | (uint)i),
            };
            pipeline.Apply(FlowEdit.Add(Acl, 1000 + (i % 50), match, FlowInstructions.DropPacket));
        }

        pipeline.Apply(FlowEdit.Add(Acl, 1, FlowMatch.Any.Metadata(NetworkId, 0xFFFF_FFFF), FlowInstructions.Goto(Forward)));
    }
}
