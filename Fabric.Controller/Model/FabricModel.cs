using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// The controller's desired state and the only way to change it. A mutation is validated in
/// full against the current state, then made into the next version of it, saved, and only then made
/// current and announced: a refused or failed request leaves the state, the store and the watchers
/// untouched. Mutations are serialised; reads see whole versions. The state is persistent
/// (<see cref="ModelState"/>), so a change costs the same however large the fabric is, and a read takes the
/// current version without a lock: it never waits behind a write, even one the store holds for seconds.
/// </summary>
public sealed class FabricModel
{
    private readonly Lock _gate = new();
    private readonly IStateStore? _store;
    private readonly ModelEvents _events = new();
    private readonly List<Event> _heldEvents = [];
    private int _togetherDepth;
    private volatile ModelState _state;

    /// <param name="store">Where the state is loaded from and saved to; null keeps it in memory only.</param>
    public FabricModel(IStateStore? store)
    {
        this._store = store;
        _state = ModelState.From(store?.Load() ?? new FabricState());
    }

    /// <summary>Where the state is saved; null when it is kept in memory only.</summary>
    public IStateStore? Store => _store;

    public ulong Version => _state.Version;

    public FabricState Snapshot() => _state.ToState();

    /// <returns>The object as stored, with its defaults and allocations.</returns>
    public T Create<T>(ResourceKind<T> kind, T request)
        where T : class, IMessage<T>
    {
        lock (_gate)
        {
            var item = request.Clone();
            var name = kind.NameOf(item);
            ResourceName.Validate(kind.Kind, name);
            if (kind.Table(_state).Contains(name))
            {
                throw ModelException.Exists($"{kind.Kind} '{name}' already exists", "name");
            }

            kind.Admit(item, _state);
            Commit(EventType.Created, kind, item, _state.Put(item));
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
            Commit(EventType.Deleted, kind, item, _state.Remove(item));
        }
    }

    public T Get<T>(ResourceKind<T> kind, string name)
        where T : class, IMessage<T>
    {
        return (kind.Find(_state, name) ?? throw ModelException.NotFound(kind.Kind, name)).Clone();
    }

    public IReadOnlyList<T> List<T>(ResourceKind<T> kind)
        where T : class, IMessage<T>
    {
        return kind.Table(_state).InOrder().Select(i => i.Clone()).ToList();
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
        Commit(EventType.Updated, kind, changed, _state.Put(changed));
        return changed.Clone();
    }

    /// <summary>
    /// Takes in a change the store accepted from another controller, as the store reports it: already validated
    /// there, so it is applied as it is, at the store's <paramref name="version"/>, and announced like a change made
    /// here. A version the model already has is ignored, which leaves this controller's own changes as they are.
    /// </summary>
    /// <returns>Whether the model took the change.</returns>
    public bool Follow(ulong version, EventType type, ModelObject changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        lock (_gate)
        {
            if (version <= _state.Version)
            {
                return false;
            }

            _state = _state.Apply(type, changed.Message, version);
            _events.Publish(changed.ToEvent(type, version));
            return true;
        }
    }

    /// <summary>
    /// Takes in the whole state as the store holds it now, for when the changes since this model's version can no
    /// longer be read one by one (etcd compacted its history past them). What differs is applied and announced as the
    /// changes that turn this state into that one, all at its version: deletions first, each object before what it
    /// refers to, then creations and updates, each object after what it refers to.
    /// </summary>
    /// <returns>How many objects changed; none when the model is at <paramref name="current"/>'s version or past it.</returns>
    public int Resync(FabricState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        lock (_gate)
        {
            if (current.Version <= _state.Version)
            {
                return 0;
            }

            var had = _state.ToState();
            var before = StateObjects.InCreationOrder(had).ToDictionary(Identity);
            var after = StateObjects.InCreationOrder(current).ToList();
            var kept = after.Select(Identity).ToHashSet();
            var changes = StateObjects.InDeletionOrder(had)
                .Where(o => !kept.Contains(Identity(o)))
                .Select(o => (Type: EventType.Deleted, Object: o))
                .Concat(after
                    .Where(o => !before.TryGetValue(Identity(o), out var old) || !old.Message.Equals(o.Message))
                    .Select(o => (Type: before.ContainsKey(Identity(o)) ? EventType.Updated : EventType.Created, Object: o)))
                .ToList();
            var next = _state;
            foreach (var (type, changed) in changes)
            {
                next = next.Apply(type, changed.Message, current.Version);
            }

            _state = next.AtVersion(current.Version);
            foreach (var (type, changed) in changes)
            {
                _events.Publish(changed.ToEvent(type, current.Version));
            }

            return changes.Count;
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
                ? StateObjects.InCreationOrder(_state.ToState()).Select(o => o.ToEvent(EventType.Created, _state.Version)).ToList()
                : [];
            return _events.Subscribe(backlog, limit);
        }
    }

    /// <summary>
    /// Makes the changes <paramref name="changes"/> makes as one run: no other client's change comes between them,
    /// and watchers hear of all of them at once, after the last, each as its own event (readers, which take no lock,
    /// see each version as it is made). So the controller compiles a whole topology once, instead of once per object. A change the model refuses
    /// ends the run there, with the changes before it made and announced, as they would be one by one.
    /// </summary>
    public void Together(Action<FabricModel> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            _togetherDepth++;
            try
            {
                changes(this);
            }
            finally
            {
                if (--_togetherDepth == 0)
                {
                    _heldEvents.ForEach(_events.Publish);
                    _heldEvents.Clear();
                }
            }
        }
    }

    private void Announce(Event change)
    {
        if (_togetherDepth > 0)
        {
            _heldEvents.Add(change);
        }
        else
        {
            _events.Publish(change);
        }
    }

    private static (string Kind, string Name) Identity(ModelObject item) => (item.Kind, item.Name);

    /// <param name="next">The state with the change, at the current version.</param>
    private void Commit<T>(EventType type, ResourceKind<T> kind, T item, ModelState next)
        where T : class, IMessage<T>
    {
        var changed = ModelObject.Of(kind, item.Clone());
        var version = _state.Version + 1;
        if (_store is not null)
        {
            version = _store.Save(new StateChange(type, changed, _state.Version));
        }

        _state = next.AtVersion(version);
        Announce(changed.ToEvent(type, version));
    }
}
