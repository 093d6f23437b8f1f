using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// Keeps every node programmed with what the model compiles to. Each accepted model change, and each link
/// state an agent reports, leads to a recompile: paths are updated incrementally (a lost link only recomputes
/// the LSPs that used it), the compiler keeps its previous numbers, and the hub sends each node only its diff.
/// A link is down while either end reports it down, or while it is administratively down.
/// </summary>
public sealed class FabricProgrammer : IAsyncDisposable
{
    private readonly FabricModel model;
    private readonly AgentHub hub;
    private readonly Lock gate = new();
    private readonly HashSet<(string Node, string Interface)> reportedDown = [];
    private readonly ModelEvents.Subscription changes;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task watching;
    private PathComputer? paths;
    private CompiledFabric? compiled;

    public FabricProgrammer(FabricModel model, AgentHub hub)
    {
        this.model = model;
        this.hub = hub;
        changes = model.Watch(includeExisting: false);
        hub.LinkStatusReported += OnLinkStatus;
        Recompile();
        watching = Task.Run(WatchAsync);
    }

    /// <summary>What the nodes were last given.</summary>
    public CompiledFabric Compiled
    {
        get
        {
            lock (gate)
            {
                return compiled!;
            }
        }
    }

    /// <summary>Compiles the model as it is now, with the reported link states, and publishes every node's program.</summary>
    public CompiledFabric Recompile()
    {
        lock (gate)
        {
            var state = model.Snapshot();
            var graph = PathGraph.FromState(state);
            foreach (var link in state.Links.Where(l => reportedDown.Contains((l.A.Node, l.A.Interface)) || reportedDown.Contains((l.B.Node, l.B.Interface))))
            {
                graph = graph.WithLink(link.Name, up: false);
            }

            if (paths is null)
            {
                paths = new PathComputer(graph);
            }
            else
            {
                paths.Update(graph);
            }

            compiled = FabricCompiler.Compile(state, paths.Trees, compiled);
            foreach (var node in state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)))
            {
                hub.Publish(node, compiled.ProgramOf(node));
            }

            return compiled;
        }
    }

    public async ValueTask DisposeAsync()
    {
        hub.LinkStatusReported -= OnLinkStatus;
        await stopping.CancelAsync().ConfigureAwait(false);
        await watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        changes.Dispose();
        stopping.Dispose();
    }

    private void OnLinkStatus(object? sender, LinkStatusReport report)
    {
        bool changed;
        lock (gate)
        {
            changed = report.Up ? reportedDown.Remove((report.Node, report.Interface)) : reportedDown.Add((report.Node, report.Interface));
        }

        if (changed)
        {
            Recompile();
        }
    }

    private async Task WatchAsync()
    {
        while (await changes.Reader.WaitToReadAsync(stopping.Token).ConfigureAwait(false))
        {
            // One recompile covers every change queued so far.
            while (changes.Reader.TryRead(out _))
            {
            }

            Recompile();
        }
    }
}
