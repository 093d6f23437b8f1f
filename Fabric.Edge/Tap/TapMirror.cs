using Sdn.Common.Capture;
using Sdn.Common.Interop;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// Copies every frame that crosses a port, both ways, onto a TAP device of its own, so tcpdump or
/// Wireshark can attach to the copy as to any Linux interface, as ovs-tcpdump does with a mirror port.
/// </summary>
/// <remarks>
/// The copy goes through a capture session, so a slow reader costs dropped copies, never a held-back
/// datapath. The device is removed when the mirror is disposed.
/// </remarks>
public sealed class TapMirror : IDisposable
{
    // Whole frames, TSO super-frames from TAP ports included, so the copy is what crossed the port; the ring's 16 MiB
    // hold 250 super-frames or 8,000 full-size frames.
    private const int MirroredFrameLength = PacketBurst.MaxSuperFrameLength;
    private const int RingBytes = 16 * 1024 * 1024;

    private readonly CaptureTap _source;
    private readonly CaptureSession _session;
    private readonly TapDevice _device;
    private readonly Thread _pump;
    private readonly CancellationTokenSource _stop = new();

    private TapMirror(CaptureTap source, CaptureSession session, TapDevice device)
    {
        _source = source;
        _session = session;
        _device = device;
        _pump = new Thread(Pump) { IsBackground = true, Name = $"mirror to {device.Name}" };
    }

    public string TapName => _device.Name;

    /// <summary>Frames written to the TAP device.</summary>
    public long Mirrored => _device.FramesSent;

    /// <summary>Copies lost because the TAP device's reader fell behind.</summary>
    public long Dropped => _session.Dropped;

    /// <exception cref="TapException">The TAP device cannot be created.</exception>
    public static TapMirror Start(CaptureTap source, string portName, string tapName)
    {
        ArgumentNullException.ThrowIfNull(source);
        var device = TapDevice.Create(tapName);
        CaptureSession? session = null;
        try
        {
            ExternalCommand.Run("ip", "link", "set", "dev", tapName, "up");
            session = new CaptureSession([new CapturePort(portName, $"mirrored to {tapName}")], new CaptureOptions(SnapLength: MirroredFrameLength, RingBytes: RingBytes));
            var mirror = new TapMirror(source, session, device);
            mirror._pump.Start();
            source.Attach(session, 0);
            return mirror;
        }
        catch
        {
            // Whatever failed, the device goes: a mirror that did not start leaves nothing on the host.
            session?.Dispose();
            device.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _source.Detach(_session);
        _stop.Cancel();
        _pump.Join();
        _session.DisposeAfterDetach();
        _device.Dispose();
        _stop.Dispose();
    }

    private void Pump()
    {
        var sink = new TapSink(_device, new PacketBurst(superFrames: true));
        while (!_stop.IsCancellationRequested)
        {
            if (_session.Drain(ref sink) == 0)
            {
                Thread.Sleep(1);
            }

            sink.Flush();
        }
    }

    private readonly struct TapSink(TapDevice device, PacketBurst burst) : ICapturedFrameReader
    {
        public void Read(CapturedFrame frame)
        {
            if (burst.IsFull)
            {
                Flush();
            }

            burst.TryAppend(frame.Bytes);
        }

        public void Flush()
        {
            device.SendBurst(burst);
            burst.Clear();
        }
    }
}
