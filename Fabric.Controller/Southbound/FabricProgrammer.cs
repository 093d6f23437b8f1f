using System.Diagnostics;
using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// Keeps every node programmed with what the model compiles to. Each accepted model change is compiled
/// incrementally (<see cref="IncrementalCompiler"/>): only the nodes and entries it touches are compiled again, and
/// the hub sends each changed node only its diff. A topology change, or a link state an agent reports, updates the
/// paths incrementally (a lost link only recomputes the LSPs that used it) and compiles every node, keeping the
/// previous numbers. A link is down while either end reports it down, or while it is administratively down.
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
    private readonly IncrementalCompiler _compiler;
    private ulong _appliedVersion;

    /// <summary>Starts from the saved numbers, and saves each compile's there.</summary>
    /// <param name="numbering">Where the numbers are kept; by default beside the model's state when it has a state directory, else nowhere.</param>
    public FabricProgrammer(FabricModel model, AgentHub hub, INumberingStore? numbering = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this._model = model;
        this._hub = hub;
        CompiledFabric? previous = null;
        _numbering = numbering ?? (model.Store is StateStore store ? new NumberingFile(store.Directory) : null);
        if (_numbering is not null)
        {
            previous = new CompiledFabric(0, new Dictionary<string, NodeProgram>(), new Dictionary<string, NodeProgram>(), _numbering.Load());
        }

        // Subscribed before the snapshot: changes the snapshot already holds are told apart by their version.
        _changes = model.Watch(includeExisting: false);
        var state = model.Snapshot();
        var started = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _appliedVersion = state.Version;
            _compiler = new IncrementalCompiler(state, previous, IsReportedDown);
            Publish(previous, _compiler.Compiled.Edges.Keys.Concat(_compiler.Compiled.Cores.Keys));
        }

        Recompiled?.Invoke(this, Stopwatch.GetElapsedTime(started));
        hub.LinkStatusReported += OnLinkStatus;
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
                return _compiler.Compiled;
            }
        }
    }

    /// <summary>The model version the compiled programs reflect: every change up to it is compiled and published.</summary>
    public ulong ModelVersion
    {
        get
        {
            lock (_gate)
            {
                return _appliedVersion;
            }
        }
    }

    /// <summary>Takes every change the model has accepted, compiles every node in full, and publishes every node's program.</summary>
    public CompiledFabric Recompile()
    {
        var started = Stopwatch.GetTimestamp();
        CompiledFabric compiled;
        lock (_gate)
        {
            var previous = _compiler.Compiled;
            TakeChanges();
            Publish(previous, _compiler.Recompile());
            compiled = _compiler.Compiled;
        }

        Recompiled?.Invoke(this, Stopwatch.GetElapsedTime(started));
        return compiled;
    }

    public async ValueTask DisposeAsync()
    {
        _hub.LinkStatusReported -= OnLinkStatus;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _changes.Dispose();
        _stopping.Dispose();
    }

    private bool IsReportedDown(Link link) =>
        _reportedDown.Contains((link.A.Node, link.A.Interface)) || _reportedDown.Contains((link.B.Node, link.B.Interface));

    /// <summary>Compiles the changes queued so far, under the lock; returns whether there were any.</summary>
    private bool TakeChanges()
    {
        var changes = new List<(EventType, IMessage)>();
        while (_changes.Reader.TryRead(out var change))
        {
            if (change.Version > _appliedVersion)
            {
                changes.Add((change.Type, ModelObject.FromEvent(change).Message));
                _appliedVersion = change.Version;
            }
        }

        if (changes.Count == 0)
        {
            return false;
        }

        // The changes up to the last that needs a full compile are compiled in full, as one step; those after it
        // incrementally, as another, so a burst of port adds behind a topology change is not compiled in full too.
        var split = changes.FindLastIndex(c => IncrementalCompiler.NeedsFullCompile(c.Item1, c.Item2)) + 1;
        foreach (var part in new[] { changes[..split], changes[split..] }.Where(p => p.Count > 0))
        {
            var previous = _compiler.Compiled;
            Publish(previous, _compiler.ApplyAll(part));
        }

        return true;
    }

    /// <summary>Sends each changed node that still exists its program, and saves the numbers when they moved.</summary>
    private void Publish(CompiledFabric? previous, IEnumerable<string> changed)
    {
        var compiled = _compiler.Compiled;
        _numbering?.Save(previous?.Numberings, compiled.Numberings, _compiler.RenumberedScopes);

        foreach (var node in changed.Where(compiled.HasNode))
        {
            _hub.Publish(node, compiled.ProgramOf(node));
        }
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
            var started = Stopwatch.GetTimestamp();
            bool compiled;
            lock (_gate)
            {
                compiled = TakeChanges();
            }

            if (compiled)
            {
                Recompiled?.Invoke(this, Stopwatch.GetElapsedTime(started));
            }
        }
    }
}
