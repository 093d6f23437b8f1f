using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The link ends of the nodes this process hosts, made as the nodes' programs ask for them. Both ends of a memory
/// link are one pair of in-memory rings, made when the first end is asked for. A udp link's ends are MPLS-in-UDP
/// sockets on UDP port 6635, each on a loopback address of its own (127.66.0.0/16), as two machines' underlay
/// addresses would be: both ends' addresses are reserved when the first end is made, and each end keeps its address
/// for as long as this object lives, however often it is remade. A udp link to a node of another process runs
/// instead from the node's underlay address, which all its ends share, to the peer's, both as the controller gives
/// them. An end the controller calls unrealizable stays down. An impairment applies to the frames its end
/// receives. A cut (<see cref="SetCut"/>) holds for the link's ends as they are made and remade.
/// </summary>
internal sealed class LinkEnds(LoopbackUnderlay underlay) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryPair> _memoryPairs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Link, string Node), UnderlayReservation> _underlay = [];
    private readonly Dictionary<(string Link, string Node), LinkEnd> _live = [];
    private readonly HashSet<string> _cut = new(StringComparer.Ordinal);

    /// <summary>The end of <paramref name="config"/>'s link on <paramref name="node"/>, its device named after the node's interface.</summary>
    /// <exception cref="ProgramException">FAILED_PRECONDITION when the end cannot be made, such as a socket that cannot be bound.</exception>
    public LinkEnd Create(string node, PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var link = config.Link ?? throw new ProgramException($"port '{config.Name}' of node {node} is no link end");
        LinkEnd end;
        lock (_gate)
        {
            end = link switch
            {
                { Unrealizable.Length: > 0 } => Unrealizable(config.Name, link),
                { Kind: LinkKind.Udp, LocalUnderlay.Length: > 0 } => Underlay(node, config.Name, link),
                { Kind: LinkKind.Udp } => Udp(node, config.Name, link),
                _ => Memory(node, config.Name, link),
            };
            end.IsForcedDown = _cut.Contains(link.Link);
            _live[(link.Link, node)] = end;
        }

        if (link.Impairment is { } impairment)
        {
            end.Impair(new LinkImpairment(impairment.Loss, TimeSpan.FromMilliseconds(impairment.DelayMs), impairment.Reorder, impairment.Seed));
        }

        return end;
    }

    public void Release(string node, string link, LinkEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        lock (_gate)
        {
            if (_live.TryGetValue((link, node), out var live) && live == end)
            {
                _live.Remove((link, node));
            }

            end.Dispose();
            if (end is MplsInUdpLink && _underlay.TryGetValue((link, node), out var reservation) && !reservation.TryTakeBack())
            {
                // Another process took the address the moment it was free: the end gets a new one if it is made again.
                _underlay.Remove((link, node));
            }
        }
    }

    /// <summary>Lets go of every address reserved for udp link ends; the ends themselves are released by their nodes.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var reservation in _underlay.Values)
            {
                reservation.Dispose();
            }

            _underlay.Clear();
        }
    }

    /// <summary>Cuts or mends both ends of a link, as pulling or plugging its cable.</summary>
    public void SetCut(string link, bool cut)
    {
        lock (_gate)
        {
            if (cut)
            {
                _cut.Add(link);
            }
            else
            {
                _cut.Remove(link);
            }

            foreach (var ((name, _), end) in _live)
            {
                if (name == link)
                {
                    end.IsForcedDown = cut;
                }
            }
        }
    }

    public bool IsCut(string link)
    {
        lock (_gate)
        {
            return _cut.Contains(link);
        }
    }

    /// <summary>The ends of <paramref name="link"/> this process runs now, by node.</summary>
    public IReadOnlyDictionary<string, LinkEnd> EndsOf(string link)
    {
        lock (_gate)
        {
            return _live.Where(e => e.Key.Link == link).ToDictionary(e => e.Key.Node, e => e.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// This node's end of the pair: the one its peer left when it made the pair, or, when this node already took its
    /// end of the current pair (the link is being remade), the end of a new pair.
    /// </summary>
    private InMemoryLink Memory(string node, string iface, LinkEndConfig link)
    {
        if (_memoryPairs.TryGetValue(link.Link, out var pair) && pair.Take(node) is { } waiting)
        {
            return waiting;
        }

        var (mine, theirs) = InMemoryLink.CreatePair(iface, link.PeerInterface);
        _memoryPairs[link.Link] = new MemoryPair(link.PeerNode, theirs);
        return mine;
    }

    /// <summary>An end that stays down: its port exists, so the node's program holds, but nothing crosses it.</summary>
    private static InMemoryLink Unrealizable(string iface, LinkEndConfig link)
    {
        var (end, _) = InMemoryLink.CreatePair(iface, link.PeerInterface);
        end.IsForcedDown = true;
        return end;
    }

    /// <summary>An end toward a node of another process, on this node's underlay address, which all its ends share.</summary>
    private static MplsInUdpLink Underlay(string node, string iface, LinkEndConfig link)
    {
        if (NodeRules.ParseAddress(link.LocalUnderlay) is not { } local || NodeRules.ParseAddress(link.PeerUnderlay) is not { } peer)
        {
            throw new ProgramException(StatusCode.InvalidArgument, $"link {link.Link} on node {node}: underlay '{link.LocalUnderlay}' or '{link.PeerUnderlay}' is not an address and port");
        }

        try
        {
            return new MplsInUdpLink(iface, new MplsInUdpLinkOptions(local, peer) { SharesLocalPort = true });
        }
        catch (LinkException e)
        {
            throw new ProgramException(StatusCode.FailedPrecondition, $"link {link.Link} on node {node}: {e.Message}");
        }
    }

    private MplsInUdpLink Udp(string node, string iface, LinkEndConfig link)
    {
        var local = Loopback(link.Link, node);
        var remote = Loopback(link.Link, link.PeerNode);
        try
        {
            return new MplsInUdpLink(iface, new MplsInUdpLinkOptions(local.EndPoint, remote.EndPoint), local.HandOver());
        }
        catch (LinkException e)
        {
            local.TryTakeBack();
            throw new ProgramException(StatusCode.FailedPrecondition, $"link {link.Link} on node {node}: {e.Message}");
        }
    }

    private UnderlayReservation Loopback(string link, string node)
    {
        if (!_underlay.TryGetValue((link, node), out var reservation))
        {
            reservation = underlay.Reserve();
            _underlay[(link, node)] = reservation;
        }

        return reservation;
    }

    /// <summary>A memory pair one of whose ends waits for the other node.</summary>
    private sealed class MemoryPair(string waitingNode, InMemoryLink waiting)
    {
        private InMemoryLink? _waiting = waiting;

        public InMemoryLink? Take(string node)
        {
            if (node != waitingNode)
            {
                return null;
            }

            var end = _waiting;
            _waiting = null;
            return end;
        }
    }
}
