using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// What one session of a node was sent and told of each port of its program (an endpoint, an uplink, a core link's
/// end), by port name: the version from which the port is as it is now, what the node's host made of its VM or host,
/// and the liveness the node sees on its link. <see cref="FabricStatuses"/> reads it to tell pending from up from
/// failed. Not thread-safe: the hub uses it under its lock.
/// </summary>
public sealed class PortLedger
{
    private readonly Dictionary<string, (PortConfig Config, ulong Since)> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PortStatus> _realized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _live = new(StringComparer.Ordinal);

    /// <summary>
    /// Takes the program batch <paramref name="version"/> brings the node to. A port that is new or changed dates from
    /// that version, and the liveness the node saw on its former self is forgotten; a port the program lacks is
    /// forgotten whole.
    /// </summary>
    /// <remarks>
    /// What the node's host made of a port is kept across a change: the node reports a VM or host only when that
    /// changes (and all of them to a new session), so a report forgotten here, or one that came before the port was
    /// sent, would leave the port pending for good.
    /// </remarks>
    public void Sent(NodeProgram program, ulong version)
    {
        ArgumentNullException.ThrowIfNull(program);
        var current = program.Ports.Values.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var gone in _sent.Keys.Concat(_realized.Keys).Where(name => !current.ContainsKey(name)).ToList())
        {
            Forget(gone);
        }

        foreach (var (name, config) in current)
        {
            if (!_sent.TryGetValue(name, out var sent) || !sent.Config.Equals(config))
            {
                _live.Remove(name);
                _sent[name] = (config, version);
            }
        }
    }

    /// <summary>The version the port is as it is now from, or null when the node was never sent it.</summary>
    public ulong? Since(string port) => _sent.TryGetValue(port, out var sent) ? sent.Since : null;

    /// <summary>Takes what the node's host made of a port's VM or host, also before the port is sent (the node may report it first).</summary>
    public void Realized(PortStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _realized[status.Port] = status;
    }

    public PortStatus? RealizationOf(string port) => _realized.GetValueOrDefault(port);

    /// <summary>Takes the liveness the node sees on the link behind its interface <paramref name="port"/>.</summary>
    public void Liveness(string port, bool up) => _live[port] = up;

    /// <summary>Whether the node sees its link behind <paramref name="port"/> up; null when it has not said since the port was sent as it is.</summary>
    public bool? LivenessOf(string port) => _live.TryGetValue(port, out var up) ? up : null;

    private void Forget(string port)
    {
        _sent.Remove(port);
        _realized.Remove(port);
        _live.Remove(port);
    }
}
