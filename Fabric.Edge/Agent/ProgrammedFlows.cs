using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// The switch's flow entries in the controller's terms: each entry as the program that installed it states it
/// (matches and actions as sent, not as the classifier stores them), and table-miss entries as what they do.
/// </summary>
internal sealed class ProgrammedFlows
{
    private readonly Dictionary<(byte Table, int Priority, FlowMatch Match), FlowEntry> _byIdentity = [];

    public ProgrammedFlows(NodeProgram program)
    {
        foreach (var flow in program.Flows.Values)
        {
            _byIdentity.TryAdd(((byte)flow.TableId, (int)flow.Priority, ProgramTranslator.Match(flow)), flow);
        }
    }

    /// <summary>
    /// The entry as programmed. A table-miss entry the program does not list is described by what it does; an entry
    /// someone else installed (not through the agent) shows without its match.
    /// </summary>
    public FlowEntry Describe(TableEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_byIdentity.TryGetValue((entry.TableId, entry.Priority, entry.Match), out var programmed))
        {
            return programmed;
        }

        var described = new FlowEntry { TableId = entry.TableId, Priority = (uint)entry.Priority, Cookie = entry.Cookie };
        if (entry.IsTableMiss)
        {
            described.Instructions.Add(MissOf(entry) switch
            {
                TableMiss.NextTable => new Instruction { GotoTable = entry.TableId + 1u },
                TableMiss.Controller => Apply(new FlowAction { Controller = new ControllerAction() }),
                _ => Apply(new FlowAction { Drop = new DropAction() }),
            });
        }

        return described;
    }

    /// <summary>What a table-miss entry does with the packets nothing else in its table matched.</summary>
    public static TableMiss MissOf(TableEntry tableMiss)
    {
        ArgumentNullException.ThrowIfNull(tableMiss);
        return tableMiss.Instructions switch
        {
            { GotoTable: not null } => TableMiss.NextTable,
            var instructions when instructions.ApplyActions.Any(a => a.Kind == PipelineActionKind.Controller) => TableMiss.Controller,
            _ => TableMiss.Drop,
        };
    }

    private static Instruction Apply(FlowAction action) => new() { ApplyActions = new ApplyActions { Actions = { action } } };
}
