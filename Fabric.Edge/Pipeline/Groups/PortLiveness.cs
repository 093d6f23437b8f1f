using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>
/// Which ports (and the links behind them) are up, as fast-failover and select groups see it.
/// </summary>
/// <remarks>
/// Whatever detects failure (port carrier, the core links' BFD) calls <see cref="SetPortLive"/>; no
/// controller is involved. A port never reported is live. A change retires the cached flows that asked about
/// that port, so they are recompiled on their next packet; flows that chose by other ports stay.
/// </remarks>
public sealed class PortLiveness
{
    private readonly HashSet<uint> _downPorts = [];
    private readonly Dictionary<uint, CachedFlowSet> _dependents = [];

    internal PortLiveness()
    {
    }

    public bool IsLive(uint port) => !_downPorts.Contains(port);

    public void SetPortLive(uint port, bool live)
    {
        var changed = live ? _downPorts.Remove(port) : _downPorts.Add(port);
        if (changed && _dependents.Remove(port, out var set))
        {
            set.RetireAll();
        }
    }

    /// <summary>The cached flows that asked whether <paramref name="port"/> is live.</summary>
    internal CachedFlowSet DependentsOf(uint port)
    {
        if (!_dependents.TryGetValue(port, out var set))
        {
            set = new CachedFlowSet();
            _dependents.Add(port, set);
        }

        return set;
    }
}
