using Microsoft.Win32.SafeHandles;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Capture;

namespace Sdn.Cli.Commands;

/// <summary>
/// Where `sdn capture` puts each packet: a tcpdump-style line, or a pcapng enhanced packet block, flushed after every
/// packet: to stdout, so that a live Wireshark or tshark reading the pipe sees it at once, or to a file or a ring of
/// size-bound files.
/// </summary>
internal sealed class CapturedPacketOutput : IDisposable
{
    private readonly IReadOnlyList<CapturePort> ports;
    private readonly TextWriter? lines;
    private readonly PcapngWriter? stdout;
    private readonly PcapngFileRing? files;

    private CapturedPacketOutput(IReadOnlyList<CapturePort> ports, TextWriter? lines, PcapngWriter? stdout, PcapngFileRing? files)
    {
        this.ports = ports;
        this.lines = lines;
        this.stdout = stdout;
        this.files = files;
    }

    /// <param name="path">Null for lines on <paramref name="lines"/>, "-" for pcapng on stdout, else a pcapng file.</param>
    /// <param name="ports">The captured ports, in the order of their interface ids.</param>
    /// <param name="maxFileBytes">With a file: start the next file of a ring of <paramref name="maxFiles"/> past this size; 0 for one file.</param>
    public static CapturedPacketOutput Open(string? path, IReadOnlyList<CapturePort> ports, int snapLength, TextWriter lines, long maxFileBytes = 0, int maxFiles = 1)
    {
        ArgumentNullException.ThrowIfNull(ports);
        snapLength = Math.Min(snapLength, CaptureOptions.MaxSnapLength);
        if (path is null)
        {
            return new CapturedPacketOutput(ports, lines, null, null);
        }

        if (path != "-")
        {
            var files = new PcapngFileRing(path, ports, snapLength, maxFileBytes, maxFiles);
            files.Flush();
            return new CapturedPacketOutput(ports, null, null, files);
        }

        // stdout as a plain file descriptor: Console's own stream hides EPIPE, so a capture would outlive its pipe's reader.
        var stdout = PcapngWriter.ForPorts(new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0), ports, snapLength);
        stdout.Flush();
        return new CapturedPacketOutput(ports, null, stdout, null);
    }

    public void Write(CapturedPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var interfaceId = InterfaceOf(packet);
        var frame = new CapturedFrame(packet.Data.Span, (int)packet.OriginalLength, (long)packet.TimestampNs, ProtoDirection.ToCapture(packet.Direction) ?? CaptureDirection.Unknown, interfaceId);
        if (files is not null)
        {
            files.Write(frame);
            files.Flush();
        }
        else if (stdout is not null)
        {
            stdout.WritePacket(interfaceId, frame.TimestampNanoseconds, frame.Bytes, frame.OriginalLength, frame.Direction);
            stdout.Flush();
        }
        else
        {
            lines?.WriteLine(CaptureSummary.Format(frame, ports[interfaceId].Name));
        }
    }

    public void Dispose()
    {
        stdout?.Dispose();
        files?.Dispose();
    }

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
