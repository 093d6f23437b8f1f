using Sdn.Contracts;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// `sdn mirror` on the port's edge: a <see cref="TapMirror"/> that lasts until the controller stops it, and
/// reports its counters when the TAP device is up and every second after.
/// </summary>
/// <remarks>The mirrored frames stay on this host; only the counters cross gRPC.</remarks>
internal sealed class AgentMirror : IDisposable
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    private readonly TapMirror _mirror;
    private readonly MirrorStart _start;
    private readonly Action<AgentMessage> _report;
    private readonly Timer _timer;

    public AgentMirror(TapMirror mirror, MirrorStart start, Action<AgentMessage> report)
    {
        _mirror = mirror;
        _start = start;
        _report = report;
        ReportCounters();
        _timer = new Timer(_ => ReportCounters(), null, ReportInterval, ReportInterval);
    }

    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            _timer.Dispose(stopped);
            stopped.WaitOne();
        }

        _mirror.Dispose();
    }

    private void ReportCounters() => _report(new AgentMessage
    {
        MirrorCounters = new MirrorCounters
        {
            MirrorId = _start.MirrorId,
            Port = _start.Port,
            TapName = _mirror.TapName,
            Mirrored = (ulong)_mirror.Mirrored,
            Dropped = (ulong)_mirror.Dropped,
        },
    });
}
