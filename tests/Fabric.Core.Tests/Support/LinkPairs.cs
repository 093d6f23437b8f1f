using System.Net;
using Sdn.Fabric.Core.Links;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>Creates both endpoints of a link of either kind, so paired tests run the same body over both.</summary>
internal static class LinkPairs
{
    public const string InMemory = "in-memory";
    public const string MplsInUdp = "mpls-in-udp";

    private static int s_lastHost;

    public static TheoryData<string> Kinds => [InMemory, MplsInUdp];

    public static (LinkEnd A, LinkEnd B) Create(string kind) => kind switch
    {
        InMemory => InMemoryLink.CreatePair("a", "b"),
        MplsInUdp => CreateUdp(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown link kind"),
    };

    /// <summary>
    /// A fresh loopback address per endpoint (127.0.0.0/8 is all loopback on Linux), so every test can use
    /// the standard port 6635 without colliding with another test; the second octet comes from the process
    /// id, so two test processes running at once do not collide either.
    /// </summary>
    public static IPAddress NextLoopbackAddress()
    {
        var host = Interlocked.Increment(ref s_lastHost);
        return new IPAddress([127, (byte)(77 + (Environment.ProcessId % 100)), (byte)(host >> 8), (byte)(host & 0xFF)]);
    }

    /// <param name="datagramLimit">Both ends' <see cref="MplsInUdpLinkOptions.DatagramLimit"/>; null for loopback's own, 65,507 bytes.</param>
    /// <param name="sourcePortCount">Both ends' <see cref="MplsInUdpLinkOptions.SourcePortCount"/>; null for the default. With one, every frame an end sends arrives in the order it was sent.</param>
    public static (MplsInUdpLink A, MplsInUdpLink B) CreateUdp(int? datagramLimit = null, int? sourcePortCount = null)
    {
        var a = new IPEndPoint(NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        var b = new IPEndPoint(NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        return (End("a", a, b), End("b", b, a));

        MplsInUdpLink End(string name, IPEndPoint local, IPEndPoint remote)
        {
            var options = new MplsInUdpLinkOptions(local, remote) { DatagramLimit = datagramLimit };
            return new MplsInUdpLink(name, sourcePortCount is { } count ? options with { SourcePortCount = count } : options);
        }
    }

    /// <summary>Receives on <paramref name="link"/> until <paramref name="count"/> frames arrived or a second passed.</summary>
    public static List<byte[]> ReceiveFrames(LinkEnd link, int count)
    {
        var frames = new List<byte[]>();
        var burst = new Sdn.Common.Packets.PacketBurst();
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (frames.Count < count && DateTime.UtcNow < deadline)
        {
            burst.Clear();
            link.Receive(burst);
            for (var i = 0; i < burst.Count; i++)
            {
                frames.Add(burst.Frame(i).ToArray());
            }

            if (burst.Count == 0)
            {
                Thread.Sleep(1);
            }
        }

        return frames;
    }
}
