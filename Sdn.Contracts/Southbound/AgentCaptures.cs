using Google.Protobuf;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Capture;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// The captures a node's agent runs for the controller: each one a <see cref="CaptureSession"/> on one port's
/// tap, drained by the agent's own forwarding thread into <see cref="CapturedPacket"/> reports.
/// </summary>
/// <remarks>
/// The datapath only ever copies into a session's bounded ring; a full ring is a counted drop. The forwarding
/// thread stops draining while the agent's outbox holds more than <see cref="MaxBacklog"/> messages or more than
/// <see cref="MaxBacklogFrameBytes"/> bytes of captured frames (whole super-frames make a few messages weigh as much
/// as thousands), so a slow controller fills the rings (and shows as drops) instead of the agent's memory. Drop
/// counts are reported as they change, and once more when a capture stops.
/// </remarks>
public sealed class AgentCaptures : IDisposable
{
    public const int MaxBacklog = 8192;

    /// <summary>16 MiB: what <see cref="MaxBacklog"/> full-size frames weighed before captures kept super-frames whole.</summary>
    public const long MaxBacklogFrameBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Each capture's ring, 4 MiB: about 2,000 full-size frames, 60 whole 64 KiB super-frames (a TAP port's TSO and GRO
    /// frames), or 40,000 short ones.
    /// </summary>
    public const int RingBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(2);

    private readonly Action<AgentMessage> _report;
    private readonly Func<(int Messages, long FrameBytes)> _backlog;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private RunningCapture[] _running = [];
    private Thread? _forwarder;

    /// <param name="report">Queues a message for the controller.</param>
    /// <param name="backlog">How many messages wait to be sent, and how many bytes of captured frames they carry.</param>
    public AgentCaptures(Action<AgentMessage> report, Func<(int Messages, long FrameBytes)> backlog)
    {
        _report = report;
        _backlog = backlog;
    }

    /// <summary>Attaches a capture to <paramref name="tap"/>; disposing the result detaches it.</summary>
    /// <exception cref="CaptureFilterException">libpcap refused the filter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The snap length is out of range.</exception>
    public IDisposable Start(CaptureStart start, CaptureTap tap)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(tap);
        // The user's snap length alone cuts frames (the controller's default keeps them whole); the session refuses one out of range.
        var options = new CaptureOptions(start.Filter, (int)Math.Min(start.SnapLength, int.MaxValue), RingBytes: RingBytes, Direction: ProtoDirection.ToCapture(start.Direction));
        var session = new CaptureSession([new CapturePort(start.Port, $"{start.Port}, captured for the controller")], options);
        var capture = new RunningCapture(this, start.CaptureId, start.Port, tap, session);
        lock (_gate)
        {
            _running = [.. _running, capture];
            if (_forwarder is null)
            {
                _forwarder = new Thread(Forward) { IsBackground = true, Name = "capture forwarder" };
                _forwarder.Start();
            }
        }

        tap.Attach(session, 0);
        return capture;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _forwarder?.Join();
        foreach (var capture in _running)
        {
            capture.Dispose();
        }

        _stop.Dispose();
    }

    private void Forward()
    {
        while (!_stop.IsCancellationRequested)
        {
            var forwarded = 0;
            foreach (var capture in Volatile.Read(ref _running))
            {
                forwarded += capture.Forward();
            }

            if (forwarded == 0)
            {
                _stop.Token.WaitHandle.WaitOne(DrainInterval);
            }
        }
    }

    private bool IsBackedUp()
    {
        var (messages, frameBytes) = _backlog();
        return messages > MaxBacklog || frameBytes > MaxBacklogFrameBytes;
    }

    private void Remove(RunningCapture capture)
    {
        lock (_gate)
        {
            _running = Array.FindAll(_running, c => c != capture);
        }
    }

    private sealed class RunningCapture(AgentCaptures owner, ulong id, string port, CaptureTap tap, CaptureSession session) : IDisposable
    {
        private readonly Lock _draining = new();
        private long _reportedDrops;
        private bool _disposed;

        /// <summary>Sends what the ring holds and any new drops; returns how many packets it sent.</summary>
        public int Forward()
        {
            lock (_draining)
            {
                if (_disposed || owner.IsBackedUp())
                {
                    return 0;
                }

                var reports = new PacketReports(owner._report, id, port);
                var sent = session.Drain(ref reports);
                ReportDrops();
                return sent;
            }
        }

        public void Dispose()
        {
            tap.Detach(session);
            owner.Remove(this);
            lock (_draining)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                ReportDrops();
                session.DisposeAfterDetach();
            }
        }

        private void ReportDrops()
        {
            var dropped = session.Dropped;
            if (dropped != _reportedDrops)
            {
                _reportedDrops = dropped;
                owner._report(new AgentMessage { CaptureDrops = new CaptureDrops { CaptureId = id, Port = port, Dropped = (ulong)dropped } });
            }
        }
    }

    private readonly struct PacketReports(Action<AgentMessage> report, ulong id, string port) : ICapturedFrameReader
    {
        public void Read(CapturedFrame frame) => report(new AgentMessage
        {
            CapturedPacket = new CapturedPacket
            {
                CaptureId = id,
                Port = port,
                Direction = ProtoDirection.From(frame.Direction),
                TimestampNs = (ulong)frame.TimestampNanoseconds,
                OriginalLength = (uint)frame.OriginalLength,
                Data = ByteString.CopyFrom(frame.Bytes),
            },
        });
    }
}
