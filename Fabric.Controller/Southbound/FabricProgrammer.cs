using System.Diagnostics;
using Sdn.Contracts.Southbound;
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
    private readonly INumberingStore? _numbering;
    private PathComputer? _paths;
    private CompiledFabric? _compiled;

    /// <summary>Starts from the saved numbers, and saves each compile's there.</summary>
    /// <param name="numbering">Where the numbers are kept; by default beside the model's state when it has a state directory, else nowhere.</param>
    public FabricProgrammer(FabricModel model, AgentHub hub, INumberingStore? numbering = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this._model = model;
        this._hub = hub;
        _numbering = numbering ?? (model.Store is StateStore store ? new NumberingFile(store.Directory) : null);
        if (_numbering is not null)
        {
            _compiled = new CompiledFabric(0, new Dictionary<string, NodeProgram>(), new Dictionary<string, NodeProgram>(), _numbering.Load());
        }

        _changes = model.Watch(includeExisting: false);
        hub.LinkStatusReported += OnLinkStatus;
        Recompile();
        _watching = Task.Run(WatchAsync);
    }

    /// <summary>Raised after each compile, outside the programmer's lock, with how long computing paths and programs took.</summary>
    public event EventHandler<TimeSpan>? Recompiled;

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
        var (compiled, took) = CompileAndPublish();
        Recompiled?.Invoke(this, took);
        return compiled;
    }

    private (CompiledFabric Compiled, TimeSpan Took) CompileAndPublish()
    {
        lock (_gate)
        {
            var started = Stopwatch.GetTimestamp();
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

            var previous = _compiled;
            _compiled = FabricCompiler.Compile(state, _paths.Trees, previous);
            var took = Stopwatch.GetElapsedTime(started);
            if (_numbering is not null && !SameNumbers(previous, _compiled))
            {
                _numbering.Save(_compiled.Numberings);
            }
            foreach (var node in state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)))
            {
                _hub.Publish(node, _compiled.ProgramOf(node));
            }

            return (_compiled, took);
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

    private static bool SameNumbers(CompiledFabric? before, CompiledFabric after) =>
        before is not null
        && before.Numberings.Count == after.Numberings.Count
        && after.Numberings.All(scope => before.Numberings.TryGetValue(scope.Key, out var numbers) && numbers.SameAs(scope.Value));

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
