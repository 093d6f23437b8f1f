using System.Buffers.Binary;
using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// An edge port onto a core link. The pipeline sees MPLS the OpenFlow way, as a label stack between the
/// tenant's MAC addresses and its IP header (<c>dst src 8847 | labels | IP</c>); a link carries it the way
/// RFC 7510 and the core do, as the label stack followed by the whole tenant frame
/// (<c>labels | dst src type | IP</c>). The port moves the MAC addresses across on the way out and back on
/// the way in. The tenant's Ethernet type is not kept in the pipeline's form, so on the way out it is
/// recovered from the IP version: only IPv4 and IPv6 cross the core (ARP is answered at the edge).
/// </summary>
public sealed class UplinkPort : IFrameListPort
{
    private const int MacsSize = 12;
    private const int EthernetSize = 14;

    private readonly byte[] _wellFormed = new byte[PacketBurst.Capacity];
    private readonly LivenessSession? _liveness;

    /// <param name="liveness">With options, a session exchanges hellos on the link and the port is up only while it is.</param>
    public UplinkPort(uint number, LinkEnd link, LivenessOptions? liveness = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        Number = number;
        Link = link;
        _liveness = liveness is null ? null : new LivenessSession(link, liveness);
    }

    public uint Number { get; }

    public string Name => Link.Name;

    public LinkEnd Link { get; }

    public bool TakesOffloads => Link.CarriesOffloads;

    public void WakeOnArrival(Doorbell? doorbell) => Link.WakeOnArrival(doorbell);

    public long NextTimerDue => _liveness?.NextDue ?? long.MaxValue;

    /// <summary>Up while the link is not forced down and its liveness session, if any, is up.</summary>
    public bool IsUp => !Link.IsForcedDown && (_liveness is null || _liveness.IsUp);

    /// <summary>Frames dropped because they were not MPLS over Ethernet going out, or not a label stack and a frame coming in.</summary>
    public long Malformed { get; private set; }

    /// <summary>Receives the link's frames straight into <paramref name="burst"/> and turns each into the pipeline's form in place.</summary>
    public int Receive(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var now = Stopwatch.GetTimestamp();
        var first = burst.Count;
        Link.Receive(burst, now);
        _liveness?.Poll(now);
        Span<byte> macs = stackalloc byte[MacsSize];
        for (var i = first; i < burst.Count;)
        {
            var frame = burst.Frame(i);
            var stack = StackLength(frame, 0);
            if (stack < 0 || frame.Length < stack + EthernetSize)
            {
                Malformed++;
                burst.RemoveAt(i);
                continue;
            }

            // The two forms have the same length: the MACs to the front, then the MPLS EtherType and the labels,
            // over the tenant's EtherType; the payload does not move.
            frame.Slice(stack, MacsSize).CopyTo(macs);
            frame[..stack].CopyTo(frame[EthernetSize..]);
            macs.CopyTo(frame);
            BinaryPrimitives.WriteUInt16BigEndian(frame[MacsSize..], EtherTypes.MplsUnicast);
            i++;
        }

        return burst.Count - first;
    }

    /// <summary>Turns each frame of the burst into the link's form in place and sends them; the burst's frames are left in that form.</summary>
    public int Transmit(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        return Transmit(burst, burst.NumbersFrom(0));
    }

    /// <summary>As <see cref="Transmit(PacketBurst)"/>, for the frames of the burst that <paramref name="frames"/> numbers.</summary>
    public int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var wellFormed = 0;
        Span<byte> macs = stackalloc byte[MacsSize];
        foreach (var i in frames)
        {
            var frame = burst.Frame(i);
            var stack = frame.Length >= EthernetSize && BinaryPrimitives.ReadUInt16BigEndian(frame[MacsSize..]) == EtherTypes.MplsUnicast
                ? StackLength(frame, EthernetSize)
                : -1;
            if (stack < 0)
            {
                Malformed++;
                continue;
            }

            // In place, since the two forms have the same length: labels to the front, then the MACs and the
            // tenant's EtherType; the payload, most of a super-frame, does not move.
            var ethType = frame.Length > EthernetSize + stack && frame[EthernetSize + stack] >> 4 == 6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4;
            frame[..MacsSize].CopyTo(macs);
            frame.Slice(EthernetSize, stack).CopyTo(frame);
            macs.CopyTo(frame[stack..]);
            BinaryPrimitives.WriteUInt16BigEndian(frame[(stack + MacsSize)..], ethType);
            _wellFormed[wellFormed++] = i;
        }

        return Link.Send(burst, _wellFormed.AsSpan(0, wellFormed));
    }

    /// <summary>The bytes of the label stack starting at <paramref name="at"/>, through its bottom entry; -1 when it has none.</summary>
    private static int StackLength(ReadOnlySpan<byte> frame, int at)
    {
        for (var offset = at; offset + MplsLabelStackEntry.Size <= frame.Length; offset += MplsLabelStackEntry.Size)
        {
            if ((frame[offset + 2] & 1) != 0)
            {
                return offset + MplsLabelStackEntry.Size - at;
            }
        }

        return -1;
    }
}
