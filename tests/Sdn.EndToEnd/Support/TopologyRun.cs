using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Cli.Hosting;
using Sdn.Fabric.Controller.Topology;
using Sdn.Fabric.Core.Links;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// The repository's topologies brought up as `sdn up` does, on a free controller port and with host names
/// that no other run uses, plus the ping probes tests add to them.
/// </summary>
internal static class TopologyRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TopologyDefinition Load(string file) => TopologyFile.Load(PathOf(file));

    /// <summary>The path of a topology file of the repository.</summary>
    public static string PathOf(string file) => RepositoryRoot.Combine("topologies", file);

    public static Task<EmbeddedFabric> StartAsync(TopologyDefinition topology) => EmbeddedFabric.StartAsync(topology, Options());

    private const int Prefixes = 0x1000;

    // Prefixes are handed out in turn from a random start: three random hex digits per run collided now and then
    // between the fabrics one test run brings up side by side.
    private static int s_lastPrefix = Random.Shared.Next(Prefixes);

    /// <summary>A free controller port, and a name prefix for namespaces and TAPs that no other run uses.</summary>
    public static EmbeddedFabricOptions Options() => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        NamePrefix = $"t{Interlocked.Increment(ref s_lastPrefix) % Prefixes:x3}-",
    };

    /// <summary>The topology with more VMs or hosts, checked by the model as the file's were.</summary>
    public static TopologyDefinition With(this TopologyDefinition topology, params Port[] ports)
    {
        var model = new FabricModel(store: null);
        topology.LoadInto(model);
        foreach (var port in ports)
        {
            model.Create(ResourceKinds.Ports, port);
        }

        return topology with { State = model.Snapshot() };
    }

    /// <summary>Every link end the fabric runs now, both ends of each of its links.</summary>
    public static IReadOnlyList<LinkEnd> LinkEnds(this EmbeddedFabric fabric) =>
        [.. fabric.Model.Snapshot().Links.SelectMany(link => fabric.Nodes.Links.EndsOf(link.Name).Values)];

    /// <summary>A VM that pings <paramref name="target"/> (a VM or host name) <paramref name="count"/> times, 10 ms apart.</summary>
    public static Port Pinger(string name, string edge, string network, string ip, string target, int count = 3) => new()
    {
        Name = name,
        Edge = edge,
        Network = TopologyFile.NetworkName(network),
        Ipv4 = ip,
        Vm = new VmSpec
        {
            App = VmApps.Ping,
            Params =
            {
                [VmApps.Target] = target,
                ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["interval-ms"] = "10",
            },
        },
    };

    /// <summary>How many of its pings the VM got answers to, once it has finished.</summary>
    public static ulong RepliesWhenDone(this EmbeddedFabric fabric, string pinger)
    {
        var vm = fabric.Vms[pinger].Machine;
        Assert.True(vm.WaitForExit(Timeout), $"{pinger} did not finish: {vm.Serial.Log}");
        return vm.LastReport(ReportKey.PingReplies) ?? 0;
    }

    /// <summary>Asserts the pinger gets no answer at all, not even to its ARP request, for a second.</summary>
    public static void AssertNeverAnswered(this EmbeddedFabric fabric, string pinger)
    {
        var vm = fabric.Vms[pinger].Machine;
        Assert.False(
            vm.WaitUntil(v => v.Serial.Lines.Any(l => l.StartsWith("ping: reply", StringComparison.Ordinal)) || v.State != VmState.Running, TimeSpan.FromSeconds(1)),
            $"{pinger} was answered or stopped: {vm.Serial.Log}");
    }
}
