using System.Net;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Testing;

/// <summary>
/// The smallest topology with edge, core and edge between two Linux hosts: one tenant network, a client namespace
/// on e1 and a server namespace on e2, joined through one core node.
/// </summary>
public static class TwoHostsAcrossTheCore
{
    public const string Client = "client";
    public const string Server = "server";
    public const string ServerIp = "10.78.0.12";

    public static TopologyDefinition Create(LinkKind links)
    {
        var network = new NetworkDefinition("bench/lan", "bench", IPNetwork.Parse("10.78.0.0/24"), IPAddress.Parse("10.78.0.1"));
        return new TopologyDefinition(
            "two-hosts",
            new ControllerDefinition(new IPEndPoint(IPAddress.Loopback, 0)),
            [new NodeDefinition("c1")],
            [new NodeDefinition("e1"), new NodeDefinition("e2")],
            [new LinkDefinition("e1--c1", "e1", "c1", links, 1, null), new LinkDefinition("c1--e2", "c1", "e2", links, 1, null)],
            [new TenantDefinition("bench", [network])],
            [],
            [
                new HostDefinition(Client, "e1", network.Name, IPAddress.Parse("10.78.0.11"), null, []),
                new HostDefinition(Server, "e2", network.Name, IPAddress.Parse(ServerIp), null, []),
            ],
            []);
    }
}
