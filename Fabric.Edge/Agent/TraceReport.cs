using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>A pipeline trace in the controller's terms: entries as programmed, ports by name, the labels pushed on each copy.</summary>
internal static class TraceReport
{
    public static TraceResult Of(PipelineTrace trace, NodeProgram program)
    {
        var flows = new ProgrammedFlows(program);
        var result = new TraceResult
        {
            CacheHit = trace.CacheWouldHit != CacheTier.Miss,
            CacheTier = trace.CacheWouldHit switch
            {
                CacheTier.ExactMatch => "exact",
                CacheTier.Megaflow => "megaflow",
                _ => "miss",
            },
            ToController = trace.SentToController,
            DropReason = trace.DroppedAsSpoofed ? DropReason.PortSecurity : DropReason.Unspecified,
            CtState = trace.CtState is { } ct ? CtStateText.Format((uint)ct) : string.Empty,
            Notes = { trace.Notes },
            DatapathActions = { trace.Actions.Select(a => a.ToString()) },
            Ports = { program.Ports.Values.OrderBy(p => p.Number) },
        };

        foreach (var step in trace.Steps)
        {
            result.Steps.Add(Step(step, flows));
        }

        foreach (var output in trace.TracedOutputs)
        {
            result.Outputs.Add(new TraceOutput
            {
                PortNumber = output.Port,
                Port = program.Ports.TryGetValue(output.Port, out var port) ? port.Name : string.Empty,
                PushedLabels = { output.PushedLabels },
            });
        }

        result.Verdict = Verdict(result);
        return result;
    }

    private static TraceStep Step(Pipeline.TableVisit step, ProgrammedFlows flows)
    {
        if (step.Entry is null)
        {
            return new TraceStep { TableId = step.TableId, TableName = step.TableName, Miss = TableMiss.Drop };
        }

        var matched = flows.Describe(step.Entry);
        return new TraceStep
        {
            TableId = step.TableId,
            TableName = step.TableName,
            Matched = matched,
            Miss = step.Entry.IsTableMiss ? ProgrammedFlows.MissOf(step.Entry) : TableMiss.Unspecified,
            Actions = { matched.Instructions.Where(i => i.KindCase == Instruction.KindOneofCase.ApplyActions).SelectMany(i => i.ApplyActions.Actions) },
        };
    }

    private static string Verdict(TraceResult result)
    {
        var parts = result.Outputs.Select(o => $"output {(o.Port.Length > 0 ? o.Port : o.PortNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))}"
            + (o.PushedLabels.Count > 0 ? $" labels [{string.Join(", ", o.PushedLabels)}]" : string.Empty)).ToList();
        if (result.ToController)
        {
            parts.Add("controller");
        }

        if (result.DropReason == DropReason.PortSecurity)
        {
            parts.Add("drop (port security)");
        }

        return parts.Count == 0 ? "drop" : string.Join("; ", parts);
    }
}
