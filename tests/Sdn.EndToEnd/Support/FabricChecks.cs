using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// What tests of a running fabric check again and again, whatever changed it: pings through `sdn ping` and from a
/// host's namespace, an edge's flows, this process's threads (a VM's vCPU among them), and waits for a status.
/// </summary>
internal static class FabricChecks
{
    /// <summary>`sdn ping FROM TO -c 3 -i 0.05`, with `-6` for ICMPv6; asserts that every request is answered.</summary>
    public static async Task AssertPingsAsync(this EmbeddedFabric fabric, string from, string to, bool ipv6 = false)
    {
        var (exit, output, _) = await SdnCli.RunAsync(fabric.Address, ["ping", from, to, "-c", "3", "-i", "0.05", .. ipv6 ? new[] { "-6" } : []]);
        Assert.True(exit == 0, output);
        Assert.Contains("3 packets transmitted, 3 received, 0% packet loss", output, StringComparison.Ordinal);
    }

    /// <summary>Runs Linux ping in <paramref name="host"/>'s namespace toward <paramref name="address"/>; returns its output, whatever the outcome.</summary>
    public static Task<string> PingFromHostAsync(this EmbeddedFabric fabric, string host, string address, int count = 3, double interval = 0.05, int payloadBytes = 56)
    {
        var space = fabric.Hosts[host].Namespace.Name;
        return Task.Run(() => PingFromNamespace(space, address, count, interval, payloadBytes));
    }

    /// <summary>Linux ping from network namespace <paramref name="space"/>; returns what it printed, lost replies included.</summary>
    public static string PingFromNamespace(string space, string address, int count = 3, double interval = 0.05, int payloadBytes = 56) =>
        ExternalCommand.Run("bash", "-c", FormattableString.Invariant($"ip netns exec {space} ping -n -c {count} -i {interval} -s {payloadBytes} -W 1 {address} || true"));

    /// <summary>`sdn flows EDGE`: every entry, ports by name, MACs as dl_src and dl_dst.</summary>
    public static async Task<string> FlowsAsync(this EmbeddedFabric fabric, string edge)
    {
        var (exit, output) = await SdnCli.InvokeAsync(fabric.Address, "flows", edge);
        Assert.True(exit == 0, output);
        return output;
    }

    /// <summary>Waits until GetStatus reports <paramref name="state"/> for the object; fails with its last state and reason.</summary>
    public static async Task UntilStateAsync(this Controller.ControllerClient controller, string kind, string name, ObjectState state)
    {
        ObjectStatus? last = null;
        await UntilAsync(
            () =>
            {
                last = controller.GetStatus(new StatusRequest()).Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name);
                return last?.State == state;
            },
            () => $"{kind} {name} is {last?.State}: {last?.Reason}");
    }

    /// <summary>Waits until every node's agent is connected and has applied the last batch the controller sent it.</summary>
    public static async Task UntilConvergedAsync(this Controller.ControllerClient controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var deadline = DateTime.UtcNow + TopologyRun.Timeout;
        StatsReply stats;
        while ((stats = await controller.GetStatsAsync(new StatsRequest())).Nodes.Any(n => !n.Connected || n.AppliedVersion < n.SentVersion))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the nodes did not converge: {stats}");
            await Task.Delay(10);
        }
    }

    /// <summary>Every drop the nodes counted, by node and reason, and each port's dropped frames: where lost packets went.</summary>
    public static async Task<string> DropsAsync(this EmbeddedFabric fabric)
    {
        using var channel = RpcChannels.ForAddress(fabric.Address);
        var nodes = (await new Controller.ControllerClient(channel).GetStatsAsync(new StatsRequest())).Nodes;
        return string.Join("; ", nodes.Select(n => $"{n.Node}: " + string.Join(", ", [
            .. n.Counters.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"),
            .. n.Counters.Ports.Where(p => p.RxDropped + p.TxDropped > 0).Select(p => $"{p.Port} rx_dropped {p.RxDropped} tx_dropped {p.TxDropped}")])));
    }

    /// <summary>Waits until <paramref name="condition"/> holds, for at most <see cref="TopologyRun.Timeout"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string>? why = null)
    {
        var deadline = DateTime.UtcNow + TopologyRun.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, why?.Invoke() ?? "not within the timeout");
            await Task.Delay(10);
        }
    }
}
