using System.Diagnostics;
using Sdn.Common;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// A core node: it owns its links, their liveness sessions and its LFIB, and runs one forwarding thread
/// that polls every link, drives liveness and forwards bursts through a <see cref="LabelSwitch"/>.
/// Add ports, install an LFIB (any time), then <see cref="Start"/>; or call <see cref="PollOnce"/> from
/// your own thread instead. A controller agent installs tables with <see cref="TryInstall"/> and watches
/// <see cref="LinkStateChanged"/>, <see cref="Ports"/> and <see cref="Statistics"/>.
/// </summary>
public sealed class CoreSwitch : IDisposable
{
    // Busy-poll this many empty rounds before parking: it keeps latency low under load without burning a
    // core on an idle node. Links wake the doorbell when frames arrive; the 1 ms park timeout, well below the
    // default 10 ms hello interval, keeps liveness going.
    private const int IdleRoundsBeforeParking = 20;
    private const int ParkMilliseconds = 1;

    private readonly List<CorePort> _ports = [];
    private readonly LabelSwitch _switch;
    private readonly Lock _installLock = new();
    private readonly Doorbell _doorbell = new();
    private readonly Func<int> _pollOnce;
    private bool[] _portIsUp = [];
    private PacketBurst[] _inputs = [];
    private EgressPlan _plan = new(0);
    private Lfib _lfib = Lfib.Empty;
    private Thread? _thread;
    private volatile bool _stopping;

    public CoreSwitch(string name)
    {
        Name = name;
        _switch = new LabelSwitch(StableHash.Of(name));
        _pollOnce = PollOnce;
    }

    /// <summary>Raised on the forwarding thread when the liveness of any port changes.</summary>
    public event EventHandler<LivenessStateChange>? LinkStateChanged;

    public string Name { get; }

    public IReadOnlyList<CorePort> Ports => _ports;

    /// <summary>The installed table.</summary>
    public Lfib Lfib => Volatile.Read(ref _lfib);

    public LsrStatistics Statistics => _switch.Statistics;

    /// <summary>
    /// Adds a port over <paramref name="link"/>, which the node now owns. With <paramref name="liveness"/> a
    /// session exchanges hellos on it and the port is up only while the session is; without, it is up unless
    /// forced down.
    /// </summary>
    public CorePort AddPort(LinkEnd link, LivenessOptions? liveness)
    {
        if (_thread is not null)
        {
            throw new LsrException($"core node {Name}: add ports before starting it");
        }

        var session = liveness is null ? null : new LivenessSession(link, liveness);
        if (session is not null)
        {
            session.StateChanged += (_, change) => LinkStateChanged?.Invoke(this, change);
        }

        link.WakeOnArrival(_doorbell);
        var port = new CorePort(_ports.Count, link, session);
        _ports.Add(port);
        _portIsUp = new bool[_ports.Count];
        _inputs = [.. _inputs, new PacketBurst(superFrames: link.CarriesOffloads)];
        _plan = new EgressPlan(_ports.Count);
        return port;
    }

    /// <summary>
    /// Installs <paramref name="lfib"/> atomically. Returns false, leaving the installed table, when its
    /// version is not newer. Throws <see cref="LsrException"/> when it names a port this node does not have.
    /// </summary>
    public bool TryInstall(Lfib lfib)
    {
        if (lfib.MaxPort >= _ports.Count)
        {
            throw new LsrException($"core node {Name}: LFIB v{lfib.Version} uses port {lfib.MaxPort} but the node has {_ports.Count} ports");
        }

        lock (_installLock)
        {
            if (lfib.Version <= _lfib.Version)
            {
                return false;
            }

            Volatile.Write(ref _lfib, lfib);
            return true;
        }
    }

    /// <summary>Starts the forwarding thread.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }

        _stopping = false;
        _thread = new Thread(Run) { IsBackground = true, Name = $"core {Name}" };
        _thread.Start();
    }

    /// <summary>Stops the forwarding thread and waits for it.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
        _thread = null;
    }

    /// <summary>
    /// One round on the calling thread: receives one burst from every port, drives liveness, then forwards
    /// the bursts. Returns how many data frames arrived. Only for a node that has not been started.
    /// </summary>
    /// <remarks>
    /// Receiving comes before the detection timers run, so a node whose thread was descheduled for longer
    /// than a detection time first takes in the hellos that queued up meanwhile, instead of declaring every
    /// peer down for its own stall.
    /// </remarks>
    public int PollOnce()
    {
        var now = Stopwatch.GetTimestamp();
        var lfib = Volatile.Read(ref _lfib);
        var ports = _ports;
        var received = 0;
        for (var p = 0; p < ports.Count; p++)
        {
            _inputs[p].Clear();
            received += ports[p].Link.Receive(_inputs[p], now);
        }

        for (var p = 0; p < ports.Count; p++)
        {
            ports[p].Liveness?.Poll(now);
            _portIsUp[p] = ports[p].IsUp;
        }

        for (var p = 0; p < ports.Count; p++)
        {
            if (_inputs[p].Count == 0)
            {
                continue;
            }

            _switch.Forward(lfib, _inputs[p], _portIsUp, _plan);
            for (var o = 0; o < ports.Count; o++)
            {
                ports[o].Link.Send(_inputs[p], _plan.Frames(o));
            }

            _plan.Clear();
        }

        return received;
    }

    public void Dispose()
    {
        Stop();
        foreach (var port in _ports)
        {
            port.Link.Dispose();
        }
    }

    private void Run()
    {
        var idleRounds = 0;
        while (!_stopping)
        {
            if (PollOnce() > 0)
            {
                idleRounds = 0;
            }
            else if (++idleRounds > IdleRoundsBeforeParking && _doorbell.Park(_pollOnce, ParkMilliseconds) > 0)
            {
                idleRounds = 0;
            }
        }
    }
}
