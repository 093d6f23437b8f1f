using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>Shorthands for installing entries and reading decisions, shared by the pipeline and cache tests.</summary>
public static class Flows
{
    public static void Add(this EdgePipeline pipeline, byte table, int priority, FlowMatch match, params PipelineAction[] actions) =>
        pipeline.Apply(FlowEdit.Add(table, priority, match, FlowInstructions.Apply(actions)));

    /// <summary>The ports the pipeline sends <paramref name="key"/> to, computed without the cache.</summary>
    public static uint[] OutputsOf(this EdgePipeline pipeline, FlowKey key) => Outputs(pipeline.Translate(key, out _));

    public static uint[] Outputs(CompiledFlow flow) =>
        flow.Actions.Where(a => a.Kind == DatapathActionKind.Output).Select(a => a.Port).ToArray();
}
