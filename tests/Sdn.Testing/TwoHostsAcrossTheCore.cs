using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Testing;

/// <summary>
/// The smallest topology with edge, core and edge between two Linux hosts: one tenant network, a client namespace
/// on e1 and a server namespace on e2, joined through one core node; its controller listens on a free port.
/// </summary>
public static class TwoHostsAcrossTheCore
{
    public const string Client = "client";
    public const string Server = "server";
    public const string ServerIp = "10.78.0.12";

    public static TopologyDefinition Create(LinkKind links)
    {
        var kind = links == LinkKind.Udp ? "udp" : "memory";
        var topology = TopologyFile.Parse(
            $$"""
            name: two-hosts
            core: [{ name: c1 }]
            edges: [{ name: e1 }, { name: e2 }]
            links:
              - { endpoints: [e1, c1], kind: {{kind}} }
              - { endpoints: [c1, e2], kind: {{kind}} }
            tenants:
              - name: bench
                networks: [{ name: lan, subnet: 10.78.0.0/24 }]
            hosts:
              - { name: {{Client}}, edge: e1, network: bench/lan, ip: 10.78.0.11 }
              - { name: {{Server}}, edge: e2, network: bench/lan, ip: {{ServerIp}} }
            """,
            "two-hosts.yaml");
        return topology with { Controller = new ControllerDefinition(new IPEndPoint(IPAddress.Loopback, 0)) };
    }
}
