using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Core.Southbound;

/// <summary>What the batch in progress changed in each map of a <see cref="HeldProgram"/>, so that it can be taken back.</summary>
internal sealed class ProgramUndo
{
    public MapUndo<uint, TableConfig> Tables { get; } = new();

    public MapUndo<uint, PortConfig> Ports { get; } = new();

    public MapUndo<uint, Group> Groups { get; } = new();

    public MapUndo<FlowIdentity, FlowEntry> Flows { get; } = new();

    public MapUndo<uint, LfibEntry> Lfib { get; } = new();

    /// <summary>Takes <paramref name="maps"/> (the changed maps, or a copy of them) back to before the batch; the log stays.</summary>
    public void RevertOnto(ProgramMaps maps)
    {
        Lfib.RevertOnto(maps.Lfib);
        Flows.RevertOnto(maps.Flows);
        Groups.RevertOnto(maps.Groups);
        Ports.RevertOnto(maps.Ports);
        Tables.RevertOnto(maps.Tables);
    }

    public void Forget()
    {
        Tables.Forget();
        Ports.Forget();
        Groups.Forget();
        Flows.Forget();
        Lfib.Forget();
    }
}
