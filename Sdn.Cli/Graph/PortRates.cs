using System.Diagnostics;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// Packets per second through each port of each node. Agents report their counters to the controller once a second,
/// while the page's sampler asks more often, so a rate is taken between the last two reports that changed the
/// counters, timed by when the sampler first saw each; counters that stand still for longer than an agent's report
/// interval and then some mean no traffic.
/// </summary>
internal sealed class PortRates
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2.5);

    private readonly Dictionary<(string Node, string Port), (Sample? Previous, Sample Last)> _ports = [];

    public void Add(StatsReply stats, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(stats);
        foreach (var node in stats.Nodes.Where(n => n.Counters is not null))
        {
            foreach (var port in node.Counters.Ports)
            {
                var sample = new Sample(timestamp, port.RxPackets, port.TxPackets);
                var key = (node.Node, port.Port);
                // A port seen for the first time, or whose counters started again with a restarted agent.
                if (!_ports.TryGetValue(key, out var known) || sample.Rx < known.Last.Rx || sample.Tx < known.Last.Tx)
                {
                    _ports[key] = (null, sample);
                }
                else if (known.Last.Rx != sample.Rx || known.Last.Tx != sample.Tx)
                {
                    _ports[key] = (known.Last, sample);
                }
            }
        }
    }

    /// <summary>Packets per second the port received and sent; 0 for a port with no counters yet.</summary>
    public (double Rx, double Tx) Of(string node, string port, long now)
    {
        if (!_ports.TryGetValue((node, port), out var known) || known.Previous is not { } previous || Stopwatch.GetElapsedTime(known.Last.At, now) > Idle)
        {
            return (0, 0);
        }

        var seconds = Stopwatch.GetElapsedTime(previous.At, known.Last.At).TotalSeconds;
        return ((known.Last.Rx - previous.Rx) / seconds, (known.Last.Tx - previous.Tx) / seconds);
    }

    private readonly record struct Sample(long At, ulong Rx, ulong Tx);
}
