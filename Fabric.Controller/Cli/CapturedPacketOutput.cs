using Microsoft.Win32.SafeHandles;
using Sdn.Fabric.Core.Capture;
using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Controller.Cli;

/// <summary>
/// Where `sdn capture` puts each packet: a tcpdump-style line, or a pcapng enhanced packet block (to a file, or to
/// stdout flushed after every packet so that a live Wireshark or tshark reading the pipe sees it at once).
/// </summary>
internal sealed class CapturedPacketOutput : IDisposable
{
    private readonly IReadOnlyList<CapturePort> ports;
    private readonly PcapngWriter? pcapng;
    private readonly TextWriter lines;

    private CapturedPacketOutput(IReadOnlyList<CapturePort> ports, PcapngWriter? pcapng, TextWriter lines)
    {
        this.ports = ports;
        this.pcapng = pcapng;
        this.lines = lines;
    }

    /// <param name="path">Null for lines on <paramref name="lines"/>, "-" for pcapng on stdout, else a pcapng file.</param>
    /// <param name="ports">The captured ports, in the order of their interface ids.</param>
    public static CapturedPacketOutput Open(string? path, IReadOnlyList<CapturePort> ports, int snapLength, TextWriter lines)
    {
        ArgumentNullException.ThrowIfNull(ports);
        if (path is null)
        {
            return new CapturedPacketOutput(ports, null, lines);
        }

        // stdout as a plain file descriptor: Console's own stream hides EPIPE, so a capture would outlive its pipe's reader.
        var stream = path == "-" ? new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0) : File.Create(path);
        var pcapng = new PcapngWriter(stream, Math.Min(snapLength, CaptureOptions.MaxSnapLength));
        foreach (var port in ports)
        {
            pcapng.AddInterface(port.Name, port.Description, port.LinkType, snapLength);
        }

        pcapng.Flush();
        return new CapturedPacketOutput(ports, pcapng, lines);
    }

    public void Write(CapturedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var interfaceId = InterfaceOf(packet);
        var frame = new CapturedFrame(packet.Data.Span, (int)packet.OriginalLength, (long)packet.TimestampNs, ProtoDirection.ToCapture(packet.Direction) ?? CaptureDirection.Unknown, interfaceId);
        if (pcapng is null)
        {
            lines.WriteLine(CaptureSummary.Format(frame, ports[interfaceId].Name));
            return;
        }

        pcapng.WritePacket(interfaceId, frame.TimestampNanoseconds, frame.Bytes, frame.OriginalLength, frame.Direction);
        pcapng.Flush();
    }

    public void Dispose() => pcapng?.Dispose();

    /// <summary>A port is named as it was asked for: a model port by its name, a link end as NODE/INTERFACE.</summary>
    private int InterfaceOf(CapturedPacket packet)
    {
        var linkEnd = $"{packet.Node}/{packet.Port}";
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Name == linkEnd)
            {
                return i;
            }
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Name == packet.Port)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"the controller sent a packet of {linkEnd}, which was not asked for");
    }
}
