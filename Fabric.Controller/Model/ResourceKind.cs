using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// What the model needs to know about one kind of object to create, find and delete it: where it
/// lives in the state, its name, its validation, and what may refer to it. <see cref="FabricModel"/>
/// does the rest the same way for every kind.
/// </summary>
public abstract class ResourceKind<T>
    where T : class, IMessage<T>
{
    /// <summary>The name users read in messages: "network", "ACL rule".</summary>
    public abstract string Kind { get; }

    /// <summary>Where the objects of this kind are in a version of the state.</summary>
    public abstract ObjectTable<T> Table(ModelState state);

    public abstract string NameOf(T item);

    /// <summary>
    /// Validates <paramref name="item"/> against <paramref name="state"/> and fills in its defaults and
    /// allocations. It gets a private copy to change, and must throw before the state is touched.
    /// </summary>
    public virtual void Admit(T item, ModelState state)
    {
    }

    /// <summary>Throws FAILED_PRECONDITION while other objects refer to <paramref name="item"/>.</summary>
    public virtual void CheckUnused(T item, ModelState state)
    {
    }

    public abstract void Describe(Event change, T item);

    public T? Find(ModelState state, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Table(state).Find(name);
    }

    protected void RefuseWhileUsed(T item, string userKind, IEnumerable<string> users)
    {
        var names = users.Order(StringComparer.Ordinal).ToList();
        if (names.Count > 0)
        {
            throw ModelException.Precondition($"{Kind} '{NameOf(item)}' is still used by {userKind} {string.Join(", ", names.Select(n => $"'{n}'"))}; delete them first");
        }
    }
}
