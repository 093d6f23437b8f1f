using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn ports`, `sdn vms` and `sdn hosts`: the endpoints of the running fabric, each with its state (pending, up, or
/// failed and why) as GetStatus tells it; `--json` prints each as the API's Port with its state and reason added.
/// </summary>
internal static class EndpointListCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Ports() => Create(
        "ports",
        "List the fabric's ports (VNIC and TAP) with whether their edge applied them",
        "port",
        _ => true,
        ["PORT", "EDGE", "NETWORK", "KIND", "MAC", "IPV4", "IPV6", "SECURITY"],
        p => [p.Name, p.Edge, p.Network, p.Kind == PortKind.Tap ? "tap" : "vnic", p.Mac, p.Ipv4, p.Ipv6, p.PortSecurity ? "on" : "off"]);

    public static Command Vms() => Create(
        "vms",
        "List the fabric's micro-VMs: their application, memory and vCPUs, and whether they are up",
        "vm",
        p => p.Kind == PortKind.Vnic,
        ["VM", "EDGE", "NETWORK", "APP", "IPV4", "IPV6", "MEMORY", "VCPUS"],
        p => [p.Name, p.Edge, p.Network, p.Vm?.App ?? "", p.Ipv4, p.Ipv6, Number(p.Vm?.MemoryMib, " MiB"), Number(p.Vm?.Vcpus, "")]);

    public static Command Hosts() => Create(
        "hosts",
        "List the fabric's Linux hosts (a namespace on a TAP device each): their routes, and whether they are up",
        "host",
        p => p.Kind == PortKind.Tap,
        ["HOST", "EDGE", "NETWORK", "IPV4", "IPV6", "ROUTES"],
        p => [p.Name, p.Edge, p.Network, p.Ipv4, p.Ipv6, string.Join(", ", p.Host?.Routes.Select(r => $"{r.To} via {r.Via}") ?? [])]);

    /// <summary>The state's short name, as `sdn status` and the list commands print it: pending, up, down, failed.</summary>
    public static string NameOf(ObjectState state) => state.ToString().ToLowerInvariant();

    private static Command Create(string name, string description, string statusKind, Func<Port, bool> listed, string[] header, Func<Port, string[]> columns)
    {
        var controller = ControllerClient.CreateOption();
        var json = JsonOption.Create();
        var command = new Command(name, description) { controller, json };
        command.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var state = await client.GetStateAsync(new GetStateRequest()).ConfigureAwait(false);
            var status = await client.GetStatusAsync(new StatusRequest()).ConfigureAwait(false);
            var statuses = status.Objects.Where(o => o.Kind == statusKind).ToDictionary(o => o.Name, StringComparer.Ordinal);
            var rows = state.Ports.Where(listed).OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => (Port: p, Status: statuses.GetValueOrDefault(p.Name) ?? new ObjectStatus { State = ObjectState.Pending, Reason = "not in the status yet" }))
                .ToList();
            await output.WriteAsync(parse.GetValue(json)
                ? Json(rows)
                : TextTable.Render([.. header, "STATE", "REASON"], rows.Select(r => (string[])[.. columns(r.Port), NameOf(r.Status.State), r.Status.Reason]))).ConfigureAwait(false);
        }));
        return command;
    }

    private static string Number(uint? value, string unit) => value is > 0 ? value.Value.ToString(CultureInfo.InvariantCulture) + unit : "";

    private static string Json(IEnumerable<(Port Port, ObjectStatus Status)> rows)
    {
        var items = new JsonArray();
        foreach (var (port, status) in rows)
        {
            var item = JsonNode.Parse(JsonFormatter.Default.Format(port))!.AsObject();
            item["state"] = NameOf(status.State);
            item["reason"] = status.Reason;
            items.Add(item);
        }

        return items.ToJsonString(Indented) + Environment.NewLine;
    }
}
