using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// The controller's desired state and the only way to change it. A mutation is validated in
/// full against the current state, then applied to a copy, saved, and only then made current and
/// announced: a refused or failed request leaves the state, the file and the watchers untouched.
/// Mutations are serialised; reads see whole versions.
/// </summary>
public sealed class FabricModel
{
    private readonly Lock _gate = new();
    private readonly IStateStore? _store;
    private readonly ModelEvents _events = new();
    private FabricState _state;

    /// <param name="store">Where the state is loaded from and saved to; null keeps it in memory only.</param>
    public FabricModel(IStateStore? store)
    {
        this._store = store;
        _state = store?.Load() ?? new FabricState();
    }

    /// <summary>Where the state is saved; null when it is kept in memory only.</summary>
    public IStateStore? Store => _store;

    public ulong Version
    {
        get
        {
            lock (_gate)
            {
                return _state.Version;
            }
        }
    }

    public FabricState Snapshot()
    {
        lock (_gate)
        {
            return _state.Clone();
        }
    }

    /// <returns>The object as stored, with its defaults and allocations.</returns>
    public T Create<T>(ResourceKind<T> kind, T request)
        where T : class, IMessage<T>
    {
        lock (_gate)
        {
            var item = request.Clone();
            var name = kind.NameOf(item);
            ResourceName.Validate(kind.Kind, name);
            if (kind.Find(_state, name) is not null)
            {
                throw ModelException.Exists($"{kind.Kind} '{name}' already exists", "name");
            }

            kind.Admit(item, _state);
            Commit(next => kind.Items(next).Add(item.Clone()), EventType.Created, kind, item);
            return item.Clone();
        }
    }

    public void Delete<T>(ResourceKind<T> kind, string name)
        where T : class, IMessage<T>
    {
        lock (_gate)
        {
            var item = kind.Find(_state, name) ?? throw ModelException.NotFound(kind.Kind, name);
            kind.CheckUnused(item, _state);
            Commit(next => kind.Items(next).Remove(kind.Find(next, name)!), EventType.Deleted, kind, item);
        }
    }

    public T Get<T>(ResourceKind<T> kind, string name)
        where T : class, IMessage<T>
    {
        lock (_gate)
        {
            return (kind.Find(_state, name) ?? throw ModelException.NotFound(kind.Kind, name)).Clone();
        }
    }

    public IReadOnlyList<T> List<T>(ResourceKind<T> kind)
        where T : class, IMessage<T>
    {
        lock (_gate)
        {
            return kind.Items(_state).Select(i => i.Clone()).ToList();
        }
    }

    public Link SetLinkState(string name, bool adminDown)
    {
        lock (_gate)
        {
            var link = ResourceKinds.Links.Find(_state, name) ?? throw ModelException.NotFound("link", name);
            return Update(ResourceKinds.Links, link, next => next.AdminDown = adminDown);
        }
    }

    /// <summary>Sets where a node's links arrive (<see cref="EdgeNode.Address"/>, <see cref="CoreNode.Address"/>); no change, no new version, when it is the same.</summary>
    /// <returns>Whether the address changed.</returns>
    public bool SetNodeAddress(string node, string address)
    {
        lock (_gate)
        {
            NodeRules.CheckAddress(address);
            if (ResourceKinds.Edges.Find(_state, node) is { } edge)
            {
                if (edge.Address == address)
                {
                    return false;
                }

                Update(ResourceKinds.Edges, edge, next => next.Address = address);
                return true;
            }

            var core = ResourceKinds.CoreNodes.Find(_state, node) ?? throw ModelException.NotFound("node", node);
            if (core.Address == address)
            {
                return false;
            }

            Update(ResourceKinds.CoreNodes, core, next => next.Address = address);
            return true;
        }
    }

    /// <summary>Applies <paramref name="change"/> to the stored <paramref name="item"/> as an UPDATED event; returns the object as stored now.</summary>
    private T Update<T>(ResourceKind<T> kind, T item, Action<T> change)
        where T : class, IMessage<T>
    {
        var changed = item.Clone();
        change(changed);
        var name = kind.NameOf(item);
        Commit(next => change(kind.Find(next, name)!), EventType.Updated, kind, changed);
        return changed;
    }

    /// <summary>
    /// Takes in a change the store accepted from another controller, as the store reports it: already validated
    /// there, so it is applied as it is, at the store's <paramref name="version"/>, and announced like a change made
    /// here. A version the model already has is ignored, which leaves this controller's own changes as they are.
    /// </summary>
    /// <param name="apply">Puts the change into a copy of the state.</param>
    /// <returns>Whether the model took the change.</returns>
    public bool Follow(ulong version, EventType type, ModelObject changed, Action<FabricState> apply)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(apply);
        lock (_gate)
        {
            if (version <= _state.Version)
            {
                return false;
            }

            var next = _state.Clone();
            apply(next);
            next.Version = version;
            _state = next;
            _events.Publish(changed.ToEvent(type, version));
            return true;
        }
    }

    /// <summary>
    /// Starts a watch. With <paramref name="includeExisting"/> it first replays every object as
    /// CREATED, in an order that creates what is referred to before what refers to it. No change
    /// falls between the replay and the live events.
    /// </summary>
    /// <param name="limit">How many changes may wait unread before the watch is dropped (see <see cref="ModelEvents.Subscribe"/>); null for no limit.</param>
    public ModelEvents.Subscription Watch(bool includeExisting, int? limit = null)
    {
        lock (_gate)
        {
            var backlog = includeExisting
                ? StateObjects.InCreationOrder(_state).Select(o => o.ToEvent(EventType.Created, _state.Version)).ToList()
                : [];
            return _events.Subscribe(backlog, limit);
        }
    }

    private void Commit<T>(Action<FabricState> change, EventType type, ResourceKind<T> kind, T item)
        where T : class, IMessage<T>
    {
        var next = _state.Clone();
        change(next);
        next.Version++;
        var changed = ModelObject.Of(kind, item.Clone());
        if (_store is not null)
        {
            next.Version = _store.Save(new StateChange(type, changed, _state.Version), next);
        }

        _state = next;
        _events.Publish(changed.ToEvent(type, next.Version));
    }
}
