using System.Text;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// What the pipeline does with one packet, reported without touching counters or caches: the equivalent of
/// <c>ovs-appctl ofproto/trace</c>.
/// </summary>
public sealed class PipelineTrace
{
    private readonly List<TableVisit> _steps = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<TableVisit> Steps => _steps;

    /// <summary>Decisions taken along the way: group buckets chosen, TTL expiry, actions skipped.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>The compiled actions the datapath would run.</summary>
    public IReadOnlyList<DatapathAction> Actions { get; private set; } = [];

    /// <summary>The ports the packet (or a copy of it) would leave through.</summary>
    public IReadOnlyList<uint> Outputs { get; private set; } = [];

    /// <summary>Each copy that would leave, with the labels pushed on it.</summary>
    public IReadOnlyList<TracedOutput> TracedOutputs { get; private set; } = [];

    public bool SentToController { get; private set; }

    /// <summary>True when port security dropped the packet (a copy may still have left through a mirror).</summary>
    public bool DroppedAsSpoofed { get; private set; }

    /// <summary>True when no copy of the packet would leave the switch.</summary>
    public bool Dropped => Outputs.Count == 0 && !SentToController;

    /// <summary>The cache tier that would answer this packet if it arrived now.</summary>
    public CacheTier CacheWouldHit { get; internal set; }

    /// <summary>The ct_state the packet's ct lookup gave (found in the tracker or assumed, as the notes say); null without a lookup.</summary>
    public CtState? CtState { get; internal set; }

    /// <summary>The trace of a frame that could not be parsed: the datapath counts it and drops it.</summary>
    public static PipelineTrace Malformed(ParseResult parse)
    {
        var trace = new PipelineTrace();
        trace.AddNote($"malformed frame ({parse.Status} {parse.Layer}): counted and dropped");
        return trace;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var step in _steps)
        {
            text.AppendLine(step.ToString());
        }

        foreach (var note in _notes)
        {
            text.AppendLine("  " + note);
        }

        text.AppendLine("actions: " + (Actions.Count == 0 ? "drop" : string.Join(",", Actions)));
        text.AppendLine("outputs: " + (Outputs.Count == 0 ? "none" : string.Join(",", Outputs)));
        text.Append("cache: " + CacheWouldHit);
        return text.ToString();
    }

    internal void AddStep(FlowTable table, TableEntry? entry) => _steps.Add(new TableVisit(table.Id, table.Name, entry));

    internal void AddNote(string note) => _notes.Add(note);

    /// <summary>Goes on with what the recirculated packet met: its tables, notes and actions after this trace's.</summary>
    internal void Continue(PipelineTrace recirculated)
    {
        _steps.AddRange(recirculated._steps);
        _notes.AddRange(recirculated._notes);
        Complete([.. Actions, .. recirculated.Actions]);
    }

    internal void Complete(DatapathAction[] actions)
    {
        Actions = actions;
        Outputs = actions.Where(a => a.Kind == DatapathActionKind.Output).Select(a => a.Port).ToArray();
        TracedOutputs = FollowLabels(actions);
        SentToController = actions.Any(a => a.Kind == DatapathActionKind.Punt);
        DroppedAsSpoofed = actions.Any(a => a.Kind == DatapathActionKind.DropSpoofed);
    }

    /// <summary>Replays the label pushes, pops and rewrites (a group bucket's undone at its restore) up to each output.</summary>
    private static List<TracedOutput> FollowLabels(DatapathAction[] actions)
    {
        var outputs = new List<TracedOutput>();
        var pushed = new List<uint>();
        var saved = new Stack<List<uint>>();
        foreach (var action in actions)
        {
            switch (action.Kind)
            {
                case DatapathActionKind.PushMpls:
                    pushed.Insert(0, action.MplsLabelWritten.GetValueOrDefault());
                    break;
                case DatapathActionKind.PopMpls when pushed.Count > 0:
                    pushed.RemoveAt(0);
                    break;
                case DatapathActionKind.SetField when action.MplsLabelWritten is { } label && pushed.Count > 0:
                    pushed[0] = label;
                    break;
                case DatapathActionKind.SaveFrame:
                    saved.Push([.. pushed]);
                    break;
                case DatapathActionKind.RestoreFrame:
                    pushed = saved.Pop();
                    break;
                case DatapathActionKind.Output:
                    outputs.Add(new TracedOutput(action.Port, [.. pushed]));
                    break;
                default:
                    break;
            }
        }

        return outputs;
    }
}
