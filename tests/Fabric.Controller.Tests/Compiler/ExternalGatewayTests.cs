using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// An external network compiled and installed into real edges: the gateway edge gets a port on the external interface,
/// and answers the outside's ARP there for the gateway's address and every floating IP, and for nothing else.
/// </summary>
public sealed class ExternalGatewayTests : IDisposable
{
    private const string Topology = """
        name: gw
        core: [{ name: c1 }]
        edges: [{ name: e1 }, { name: e2 }]
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        externals:
          - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2 }
        tenants:
          - name: red
            external: internet
            networks: [{ name: web, subnet: 10.1.0.0/24 }]
        hosts:
          - { name: h1, edge: e1, network: red/web, ip: 10.1.0.100, floating-ip: 198.51.100.10 }
        """;

    private const ulong OutsideMac = 0x02_00_00_00_00_99;
    private const uint OutsideIp = 0xC6_33_64_01; // 198.51.100.1

    private readonly FabricModel _model = new(store: null);
    private readonly FabricRig _rig;

    public ExternalGatewayTests()
    {
        TopologyFile.Parse(Topology, "gw.yaml").LoadInto(_model);
        _rig = new FabricRig(_model.Snapshot());
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
    }

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void The_gateway_edge_alone_has_a_port_on_the_external_interface()
    {
        var compiled = FabricCompiler.Compile(_model.Snapshot());

        var port = Assert.Single(compiled.ProgramOf("e2").Ports.Values, p => p.RealizationCase == PortConfig.RealizationOneofCase.External);
        Assert.Equal(("sdnx0", "internet", "sdnx0"), (port.Name, port.External.ExternalNetwork, port.External.Interface));
        Assert.Equal(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")), port.Mac);
        Assert.DoesNotContain(compiled.ProgramOf("e1").Ports.Values, p => p.RealizationCase == PortConfig.RealizationOneofCase.External);
    }

    [Theory]
    [InlineData(0xC6_33_64_02u)] // the gateway's address
    [InlineData(0xC6_33_64_0Au)] // h1's floating IP
    public void The_outside_asking_for_a_gateway_or_floating_address_is_answered_with_the_gateways_mac(uint address)
    {
        var reply = Assert.Single(_rig.Send("sdnx0", ArpRequest(address))["sdnx0"]);

        var gatewayMac = Convert.ToUInt64(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")).Replace(":", string.Empty, StringComparison.Ordinal), 16);
        Assert.Equal(ArpPacket.Reply, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(EthernetHeader.Size + 6)));
        Assert.Equal(gatewayMac, ReadMac(reply, EthernetHeader.Size + 8));
        Assert.Equal(address, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(EthernetHeader.Size + 14)));
        Assert.Equal(OutsideMac, ReadMac(reply, 0));
    }

    [Fact]
    public void Another_address_of_the_outside_is_not_answered_and_nothing_reaches_the_tenant()
    {
        var delivered = _rig.Send("sdnx0", ArpRequest(0xC6_33_64_0B));

        Assert.All(delivered.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_floating_ip_given_later_is_answered_once_the_incremental_compile_is_installed()
    {
        var compiler = new IncrementalCompiler(_model.Snapshot(), FabricCompiler.Compile(_model.Snapshot()));
        var port = _model.Create(ResourceKinds.Ports, new Port { Name = "h2", Network = "red.web", Edge = "e1", Kind = PortKind.Tap, FloatingIpv4 = "198.51.100.11" });

        compiler.Apply(EventType.Created, port);
        _rig.Install(compiler.Compiled);

        Assert.Single(_rig.Send("sdnx0", ArpRequest(0xC6_33_64_0B))["sdnx0"]);
    }

    private static byte[] ArpRequest(uint target)
    {
        var frame = new byte[42];
        var builder = new FrameBuilder(frame);
        builder.Ethernet(0xFF_FF_FF_FF_FF_FF, OutsideMac, EtherTypes.Arp);
        builder.Arp(ArpPacket.Request, OutsideMac, OutsideIp, 0, target);
        Assert.True(builder.TryFinish(out var length));
        return frame[..length];
    }

    private static ulong ReadMac(byte[] frame, int at) => BinaryPrimitives.ReadUInt64BigEndian([0, 0, .. frame.AsSpan(at, 6)]);
}
