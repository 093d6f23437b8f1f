using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>Every kind the model holds, as etcd keeps it, in the order a state is built: each after what it may refer to.</summary>
public static class StoredKinds
{
    public static IReadOnlyList<IStoredKind> All { get; } =
    [
        new StoredKind<Contracts.EdgeNode>("edges", ResourceKinds.Edges),
        new StoredKind<Contracts.CoreNode>("core-nodes", ResourceKinds.CoreNodes),
        new StoredKind<Contracts.Link>("links", ResourceKinds.Links),
        new StoredKind<Contracts.ExternalNetwork>("externals", ResourceKinds.ExternalNetworks),
        new StoredKind<Contracts.Tenant>("tenants", ResourceKinds.Tenants),
        new StoredKind<Contracts.Network>("networks", ResourceKinds.Networks),
        new StoredKind<Contracts.AclRule>("acl-rules", ResourceKinds.AclRules),
        new StoredKind<Contracts.Port>("ports", ResourceKinds.Ports),
    ];

    public static IStoredKind Of(ModelObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return All.Single(k => k.Kind == item.Kind);
    }

    public static string KeyOf(ModelObject item) => EtcdKeys.ObjectKey(Of(item).Segment, item.Name);

    /// <summary>The kind and name an object key names; null for a key that is not objects/KIND/NAME of a known kind.</summary>
    public static (IStoredKind Kind, string Name)? Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.StartsWith(EtcdKeys.Objects, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = key[EtcdKeys.Objects.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        var segment = rest[..slash];
        return All.FirstOrDefault(k => k.Segment == segment) is { } kind ? (kind, rest[(slash + 1)..]) : null;
    }
}
