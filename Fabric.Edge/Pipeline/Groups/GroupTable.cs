using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>The groups of the switch, by id.</summary>
public sealed class GroupTable
{
    private readonly Dictionary<uint, GroupEntry> _groups = [];

    /// <summary>By group id, whether or not the group exists: a flow that found no such group dropped the packet for it.</summary>
    private readonly Dictionary<uint, CachedFlowSet> _dependents = [];

    internal GroupTable()
    {
    }

    public int Count => _groups.Count;

    public bool TryGet(uint id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GroupEntry? group) => _groups.TryGetValue(id, out group);

    public void Add(GroupEntry group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!_groups.TryAdd(group.Id, group))
        {
            throw new FlowEditException(FlowEditError.GroupExists, $"group {group.Id} already exists; use Modify to change it");
        }

        RetireDependents(group.Id);
    }

    public void Modify(GroupEntry group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!_groups.ContainsKey(group.Id))
        {
            throw new FlowEditException(FlowEditError.UnknownGroup, $"group {group.Id} does not exist; add it first");
        }

        _groups[group.Id] = group;
        RetireDependents(group.Id);
    }

    public bool Remove(uint id)
    {
        if (!_groups.Remove(id))
        {
            return false;
        }

        RetireDependents(id);
        return true;
    }

    /// <summary>The cached flows that looked group <paramref name="groupId"/> up.</summary>
    internal CachedFlowSet DependentsOf(uint groupId)
    {
        if (!_dependents.TryGetValue(groupId, out var set))
        {
            set = new CachedFlowSet();
            _dependents.Add(groupId, set);
        }

        return set;
    }

    private void RetireDependents(uint groupId)
    {
        if (_dependents.Remove(groupId, out var set))
        {
            set.RetireAll();
        }
    }
}
