using Google.Protobuf;
using Google.Protobuf.Collections;
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

    public abstract RepeatedField<T> Items(FabricState state);

    public abstract string NameOf(T item);

    /// <summary>
    /// Validates <paramref name="item"/> against <paramref name="state"/> and fills in its defaults and
    /// allocations. It gets a private copy to change, and must throw before the state is touched.
    /// </summary>
    public virtual void Admit(T item, FabricState state)
    {
    }

    /// <summary>Throws FAILED_PRECONDITION while other objects refer to <paramref name="item"/>.</summary>
    public virtual void CheckUnused(T item, FabricState state)
    {
    }

    public abstract void Describe(Event change, T item);

    public T? Find(FabricState state, string name) => Items(state).FirstOrDefault(i => NameOf(i) == name);

    protected void RefuseWhileUsed(T item, string userKind, IEnumerable<string> users)
    {
        var names = users.ToList();
        if (names.Count > 0)
        {
            throw ModelException.Precondition($"{Kind} '{NameOf(item)}' is still used by {userKind} {string.Join(", ", names.Select(n => $"'{n}'"))}; delete them first");
        }
    }
}
