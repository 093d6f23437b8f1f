using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn flows EDGE [--table N]`: every flow entry the edge holds, with its live counters, one line each, as
/// `ovs-ofctl dump-flows` prints them.
/// </summary>
internal static class FlowsCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var edge = new Argument<string>("edge") { Description = "the edge's name, as `sdn status` lists it" };
        var table = new Option<uint?>("--table") { Description = "Only this table" };
        var json = JsonOption.Create();
        var command = new Command("flows", "Show an edge's flow entries: table, priority, match, actions, cookie and counters, as the live switch holds them")
        {
            edge,
            table,
            json,
            controller,
        };
        command.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var request = new GetFlowsRequest { Edge = parse.GetRequiredValue(edge) };
            if (parse.GetValue(table) is { } only)
            {
                request.TableId = only;
            }

            var dump = await client.GetFlowsAsync(request, deadline: ControllerClient.DiagnosticDeadline()).ConfigureAwait(false);
            await output.WriteAsync(parse.GetValue(json) ? JsonFormatter.Default.Format(dump) + Environment.NewLine : Render(dump)).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>
    /// One line per entry: " cookie=0x0, duration=1.234s, table=0 (classify), n_packets=3, n_bytes=294, idle_age=1, priority=100,in_port=vm1 actions=goto_table:1",
    /// with idle_timeout= and hard_timeout= before the priority when the entry has them, ports by name where the edge names them,
    /// and the table's name after its number when the edge has one.
    /// </summary>
    internal static string Render(FlowDump dump)
    {
        var ports = PortNames.Of(dump.Ports);
        return string.Concat(dump.Flows.Select(f => string.Create(
            CultureInfo.InvariantCulture,
            $" cookie=0x{f.Entry.Cookie:x}, duration={f.DurationMs / 1000.0:F3}s, table={f.Entry.TableId}{TableName(dump, f.Entry.TableId)}, n_packets={f.Packets}, n_bytes={f.Bytes}, idle_age={f.IdleMs / 1000}, "
            + $"{(f.Entry.IdleTimeout > 0 ? $"idle_timeout={f.Entry.IdleTimeout}, " : string.Empty)}{(f.Entry.HardTimeout > 0 ? $"hard_timeout={f.Entry.HardTimeout}, " : string.Empty)}"
            + $"{FlowText.Entry(f.Entry, ports)}{Environment.NewLine}")));
    }

    private static string TableName(FlowDump dump, uint tableId) => dump.TableNames.TryGetValue(tableId, out var name) ? $" ({name})" : string.Empty;
}
