using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>The groups of the switch, by id.</summary>
public sealed class GroupTable
{
    private readonly Dictionary<uint, GroupEntry> _groups = [];

    internal GroupTable(VersionStamp anyChange) => Version = new VersionStamp(anyChange);

    /// <summary>Bumped on every group change; flows that went through any group depend on it.</summary>
    public VersionStamp Version { get; }

    public int Count => _groups.Count;

    public bool TryGet(uint id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GroupEntry? group) => _groups.TryGetValue(id, out group);

    public void Add(GroupEntry group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!_groups.TryAdd(group.Id, group))
        {
            throw new FlowEditException(FlowEditError.GroupExists, $"group {group.Id} already exists; use Modify to change it");
        }

        Version.Bump();
    }

    public void Modify(GroupEntry group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!_groups.ContainsKey(group.Id))
        {
            throw new FlowEditException(FlowEditError.UnknownGroup, $"group {group.Id} does not exist; add it first");
        }

        _groups[group.Id] = group;
        Version.Bump();
    }

    public bool Remove(uint id)
    {
        if (!_groups.Remove(id))
        {
            return false;
        }

        Version.Bump();
        return true;
    }
}
