using System.Text;
using Sdn.Common.Capture;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// A trace as `sdn trace` prints it, in the manner of `ovs-appctl ofproto/trace`: the packet, each table
/// visited with the entry matched and its actions, the decisions taken on the way, each copy that leaves
/// with the labels pushed on it, the ct_state a ct lookup gave, the verdict, and whether the flow cache would have answered.
/// </summary>
internal static class TraceText
{
    public static string Render(string port, ReadOnlySpan<byte> frame, TraceResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine($"packet: {CaptureSummary.Describe(frame, frame.Length)}, in on {port}");
        var ports = PortNames.Of(result.Ports);
        foreach (var step in result.Steps)
        {
            text.AppendLine(Step(step, ports));
        }

        foreach (var note in result.Notes)
        {
            text.AppendLine($"  {note}");
        }

        text.AppendLine($"datapath actions: {(result.DatapathActions.Count == 0 ? "drop" : string.Join(",", result.DatapathActions))}");
        foreach (var output in result.Outputs)
        {
            var labels = output.PushedLabels.Count == 0 ? string.Empty : $", labels pushed [{string.Join(", ", output.PushedLabels)}]";
            text.AppendLine($"output: {(output.Port.Length > 0 ? output.Port : "?")} (port {output.PortNumber}){labels}");
        }

        if (result.CtState.Length > 0)
        {
            text.AppendLine($"ct_state: {result.CtState}");
        }

        text.AppendLine($"verdict: {result.Verdict}");
        text.AppendLine($"cache: {(result.CacheHit ? $"hit ({result.CacheTier})" : "miss")}");
        return text.ToString();
    }

    private static string Step(TraceStep step, PortNames ports)
    {
        var table = FlowText.Table(step.TableId, step.TableName);
        if (step.Matched is null)
        {
            return $"{table}: no entry matched, not even a table-miss: drop";
        }

        var entry = FlowText.Entry(step.Matched, ports);
        return step.Miss == TableMiss.Unspecified
            ? $"{table}: {entry}"
            : $"{table}: table-miss, {MissText(step.Miss)}: {entry}";
    }

    private static string MissText(TableMiss miss) => miss switch
    {
        TableMiss.NextTable => "on to the next table",
        TableMiss.Controller => "to the controller",
        _ => "drop",
    };
}
