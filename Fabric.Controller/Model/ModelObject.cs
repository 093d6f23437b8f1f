using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>One object of a fabric's state, whatever its kind: what it is, and how a model creates or deletes it.</summary>
public sealed class ModelObject
{
    private readonly Action<FabricModel> _create;
    private readonly Action<FabricModel> _delete;
    private readonly Action<Event> _describe;

    private ModelObject(string kind, string name, IMessage message, Action<FabricModel> create, Action<FabricModel> delete, Action<Event> describe)
    {
        _describe = describe;
        Kind = kind;
        Name = name;
        Message = message;
        _create = create;
        _delete = delete;
    }

    /// <summary>The kind as users read it: "network", "port".</summary>
    public string Kind { get; }

    public string Name { get; }

    /// <summary>The object itself: a <see cref="Tenant"/>, a <see cref="Port"/>, ...</summary>
    public IMessage Message { get; }

    public static ModelObject Of<T>(ResourceKind<T> kind, T item)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var name = kind.NameOf(item);
        return new ModelObject(kind.Kind, name, item, model => model.Create(kind, item), model => model.Delete(kind, name), change => kind.Describe(change, item.Clone()));
    }

    /// <summary>The object an event announces.</summary>
    /// <exception cref="InvalidDataException">The event carries no object.</exception>
    public static ModelObject FromEvent(Event change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.ResourceCase switch
        {
            Event.ResourceOneofCase.Tenant => Of(ResourceKinds.Tenants, change.Tenant),
            Event.ResourceOneofCase.Network => Of(ResourceKinds.Networks, change.Network),
            Event.ResourceOneofCase.Port => Of(ResourceKinds.Ports, change.Port),
            Event.ResourceOneofCase.AclRule => Of(ResourceKinds.AclRules, change.AclRule),
            Event.ResourceOneofCase.Edge => Of(ResourceKinds.Edges, change.Edge),
            Event.ResourceOneofCase.CoreNode => Of(ResourceKinds.CoreNodes, change.CoreNode),
            Event.ResourceOneofCase.Link => Of(ResourceKinds.Links, change.Link),
            Event.ResourceOneofCase.ExternalNetwork => Of(ResourceKinds.ExternalNetworks, change.ExternalNetwork),
            _ => throw new InvalidDataException($"event of version {change.Version} carries no object"),
        };
    }

    /// <exception cref="ModelException">The model refuses it.</exception>
    public void CreateIn(FabricModel model) => _create(model);

    /// <exception cref="ModelException">The model refuses it.</exception>
    public void DeleteFrom(FabricModel model) => _delete(model);

    /// <summary>The event that announces this object's <paramref name="type"/> at <paramref name="version"/>.</summary>
    public Event ToEvent(EventType type, ulong version)
    {
        var change = new Event { Version = version, Type = type };
        _describe(change);
        return change;
    }

    public override string ToString() => $"{Kind} '{Name}'";
}
