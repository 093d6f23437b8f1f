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
    private readonly IReadOnlyList<CapturePort> _ports;
    private readonly TextWriter? _lines;
    private readonly PcapngWriter? _stdout;
    private readonly PcapngFileRing? _files;

    private CapturedPacketOutput(IReadOnlyList<CapturePort> ports, TextWriter? lines, PcapngWriter? stdout, PcapngFileRing? files)
    {
        this._ports = ports;
        this._lines = lines;
        this._stdout = stdout;
        this._files = files;
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
        if (_files is not null)
        {
            _files.Write(frame);
            _files.Flush();
        }
        else if (_stdout is not null)
        {
            _stdout.WritePacket(interfaceId, frame.TimestampNanoseconds, frame.Bytes, frame.OriginalLength, frame.Direction);
            _stdout.Flush();
        }
        else
        {
            _lines?.WriteLine(CaptureSummary.Format(frame, _ports[interfaceId].Name));
        }
    }

    public void Dispose()
    {
        _stdout?.Dispose();
        _files?.Dispose();
    }

    /// <summary>A port is named as it was asked for: a model port by its name, a link end as NODE/INTERFACE.</summary>
    private int InterfaceOf(CapturedPacket packet)
    {
        var linkEnd = $"{packet.Node}/{packet.Port}";
        for (var i = 0; i < _ports.Count; i++)
        {
            if (_ports[i].Name == linkEnd)
            {
                return i;
            }
        }

        for (var i = 0; i < _ports.Count; i++)
        {
            if (_ports[i].Name == packet.Port)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"the controller sent a packet of {linkEnd}, which was not asked for");
    }
}
