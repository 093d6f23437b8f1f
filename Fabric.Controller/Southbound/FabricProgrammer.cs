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
    private readonly FabricModel _model;
    private readonly AgentHub _hub;
    private readonly Lock _gate = new();
    private readonly HashSet<(string Node, string Interface)> _reportedDown = [];
    private readonly ModelEvents.Subscription _changes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;
    private PathComputer? _paths;
    private CompiledFabric? _compiled;

    public FabricProgrammer(FabricModel model, AgentHub hub)
    {
        this._model = model;
        this._hub = hub;
        _changes = model.Watch(includeExisting: false);
        hub.LinkStatusReported += OnLinkStatus;
        Recompile();
        _watching = Task.Run(WatchAsync);
    }

    /// <summary>What the nodes were last given.</summary>
    public CompiledFabric Compiled
    {
        get
        {
            lock (_gate)
            {
                return _compiled!;
            }
        }
    }

    /// <summary>Compiles the model as it is now, with the reported link states, and publishes every node's program.</summary>
    public CompiledFabric Recompile()
    {
        lock (_gate)
        {
            var state = _model.Snapshot();
            var graph = PathGraph.FromState(state);
            foreach (var link in state.Links.Where(l => _reportedDown.Contains((l.A.Node, l.A.Interface)) || _reportedDown.Contains((l.B.Node, l.B.Interface))))
            {
                graph = graph.WithLink(link.Name, up: false);
            }

            if (_paths is null)
            {
                _paths = new PathComputer(graph);
            }
            else
            {
                _paths.Update(graph);
            }

            _compiled = FabricCompiler.Compile(state, _paths.Trees, _compiled);
            foreach (var node in state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)))
            {
                _hub.Publish(node, _compiled.ProgramOf(node));
            }

            return _compiled;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hub.LinkStatusReported -= OnLinkStatus;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _changes.Dispose();
        _stopping.Dispose();
    }

    private void OnLinkStatus(object? sender, LinkStatusReport report)
    {
        bool changed;
        lock (_gate)
        {
            changed = report.Up ? _reportedDown.Remove((report.Node, report.Interface)) : _reportedDown.Add((report.Node, report.Interface));
        }

        if (changed)
        {
            Recompile();
        }
    }

    private async Task WatchAsync()
    {
        while (await _changes.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
        {
            // One recompile covers every change queued so far.
            while (_changes.Reader.TryRead(out _))
            {
            }

            Recompile();
        }
    }
}
