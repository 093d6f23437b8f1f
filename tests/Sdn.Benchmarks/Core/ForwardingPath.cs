using System.Net;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Lsr;

namespace Sdn.Benchmarks.Core;

/// <summary>
/// A source, a core node that swaps label 100 for 200, and a sink, joined by MPLS-in-UDP links on loopback
/// addresses 127.67.<c>subnet</c>.x; the node also has <c>quietLinks</c> links to peers that never send.
/// This thread drives all of it.
/// </summary>
internal sealed class ForwardingPath : IDisposable
{
    private readonly MplsInUdpLink _source;
    private readonly MplsInUdpLink _sink;
    private readonly CoreSwitch _node;
    private readonly PacketBurst _drain = new();

    public ForwardingPath(int subnet, int quietLinks)
    {
        IPEndPoint Address(int host) => new(new IPAddress([127, 67, (byte)subnet, (byte)host]), MplsInUdpLink.UdpPort);
        MplsInUdpLink Link(string name, int local, int remote) => new(name, new MplsInUdpLinkOptions(Address(local), Address(remote)));

        _node = new CoreSwitch($"path-{subnet}");
        _source = Link("source", 1, 2);
        _node.AddPort(Link("node-in", 2, 1), liveness: null);
        _node.AddPort(Link("node-out", 3, 4), liveness: null);
        _sink = Link("sink", 4, 3);
        for (var i = 0; i < quietLinks; i++)
        {
            _node.AddPort(Link($"quiet-{i}", 10 + i, 100 + i), liveness: null);
        }

        _node.TryInstall(new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(1, 200))]));
    }

    public long Forwarded { get; set; }

    /// <summary>Sends the burst to the node, runs one round of it, and takes what reached the sink.</summary>
    public void Forward(PacketBurst burst)
    {
        _source.Send(burst);
        _node.PollOnce();
        _drain.Clear();
        _sink.Receive(_drain);
        Forwarded += _drain.Count;
    }

    /// <summary>Disposes the node, which disposes its links, and the source and the sink.</summary>
    public void Dispose()
    {
        _node.Dispose();
        _source.Dispose();
        _sink.Dispose();
    }
}
