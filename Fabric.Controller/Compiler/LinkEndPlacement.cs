using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// How a link's end is made, from where its two nodes run. A node without an address runs with the controller; one
/// with an address runs in a process of its own and takes its links there.
/// <list type="bullet">
/// <item>Both ends with the controller: the link is what its kind says, memory when left out; a udp link then runs
/// between loopback addresses that process picks.</item>
/// <item>Both in processes of their own: MPLS-in-UDP between their addresses, with liveness hellos, since a cut
/// shows nowhere else; a memory link cannot be made.</item>
/// <item>One of each: the link cannot be made, whatever its kind.</item>
/// </list>
/// </summary>
public static class LinkEndPlacement
{
    /// <summary>Fills in <paramref name="end"/>'s kind, addresses and hellos, or why it cannot be made.</summary>
    /// <param name="bothCore">Whether both ends are core nodes, which exchange hellos wherever they run.</param>
    /// <param name="self">This end's node and its underlay address (empty when it runs with the controller).</param>
    /// <param name="peer">The other end's node and its underlay address.</param>
    public static void Place(LinkEndConfig end, Link link, (string Node, string Address) self, (string Node, string Address) peer, bool bothCore)
    {
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(link);
        end.Hellos = bothCore;
        var (selfAddress, peerAddress) = (self.Address, peer.Address);
        if (Unrealizable(link, self.Node, selfAddress, peer.Node, peerAddress) is { } why)
        {
            end.Unrealizable = why;
            return;
        }

        if (selfAddress.Length == 0)
        {
            end.Kind = link.Kind == LinkKind.Unspecified ? LinkKind.Memory : link.Kind;
            return;
        }

        end.Kind = LinkKind.Udp;
        end.LocalUnderlay = selfAddress;
        end.PeerUnderlay = peerAddress;
        end.Hellos = true;
    }

    /// <summary>Why the link cannot be made where its nodes run now, or null when it can.</summary>
    public static string? Unrealizable(Link link, FabricState state)
    {
        ArgumentNullException.ThrowIfNull(link);
        return Unrealizable(link, link.A.Node, NodeRules.AddressOf(link.A.Node, state), link.B.Node, NodeRules.AddressOf(link.B.Node, state));
    }

    private static string? Unrealizable(Link link, string self, string selfAddress, string peer, string peerAddress)
    {
        if ((selfAddress.Length == 0) != (peerAddress.Length == 0))
        {
            var (embedded, remote, address) = selfAddress.Length == 0 ? (self, peer, peerAddress) : (peer, self, selfAddress);
            return $"{embedded} runs with the controller and {remote} at {address}: a link joins two nodes that both run with the controller, or both in processes of their own";
        }

        return selfAddress.Length > 0 && link.Kind == LinkKind.Memory
            ? $"a memory link joins nodes of one process, but {self} runs at {selfAddress} and {peer} at {peerAddress}: make it udp, or leave its kind out"
            : null;
    }
}
