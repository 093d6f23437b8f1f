using Sdn.Fabric.Controller.Topology;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// Two echo VMs across one core node, <see cref="Near"/> on e1 and <see cref="Far"/> on e2: e1--c1--e2, whose links
/// the tests give their kind and impairment. Link e1--c1's end a is e1's, so its impairment meets the frames on
/// their way from the core to near: a ping between the two meets it once.
/// </summary>
internal static class TwoVmsAcrossTheCore
{
    public const string Near = "near";
    public const string Far = "far";

    /// <param name="nearLink">More keys of link e1--c1, in YAML flow style: "kind: udp", "impairment: { loss: 0.2 }".</param>
    /// <param name="farLink">More keys of link c1--e2.</param>
    public static string Yaml(string nearLink = "", string farLink = "") => $$"""
        name: two-vms
        core: [{ name: c1 }]
        edges: [{ name: e1 }, { name: e2 }]
        links:
          - { endpoints: [e1, c1]{{More(nearLink)}} }
          - { endpoints: [c1, e2]{{More(farLink)}} }
        tenants:
          - name: t
            networks: [{ name: lan, subnet: 10.79.0.0/24 }]
        vms:
          - { name: {{Near}}, edge: e1, network: t/lan, ip: 10.79.0.11 }
          - { name: {{Far}}, edge: e2, network: t/lan, ip: 10.79.0.12 }
        """;

    public static TopologyDefinition Create(string nearLink = "", string farLink = "") => TopologyFile.Parse(Yaml(nearLink, farLink), "two-vms.yaml");

    private static string More(string keys) => keys.Length == 0 ? "" : ", " + keys;
}
