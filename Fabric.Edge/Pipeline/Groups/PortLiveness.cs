using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>
/// Which ports (and the links behind them) are up, as fast-failover and select groups see it.
/// </summary>
/// <remarks>
/// Whatever detects failure (port carrier, the core links' BFD) calls <see cref="SetPortLive"/>; no
/// controller is involved. A port never reported is live. Each change bumps <see cref="Version"/>, so cached
/// flows that chose a bucket by liveness are recompiled on their next packet.
/// </remarks>
public sealed class PortLiveness
{
    private readonly HashSet<uint> _downPorts = [];

    internal PortLiveness(VersionStamp anyChange) => Version = new VersionStamp(anyChange);

    public VersionStamp Version { get; }

    public bool IsLive(uint port) => !_downPorts.Contains(port);

    public void SetPortLive(uint port, bool live)
    {
        var changed = live ? _downPorts.Remove(port) : _downPorts.Add(port);
        if (changed)
        {
            Version.Bump();
        }
    }
}
