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
/// Add ports and install an LFIB (any time, before or after <see cref="Start"/>); or call <see cref="PollOnce"/>
/// from your own thread instead. A controller agent adds and removes ports, installs tables with
/// <see cref="TryInstall"/> and watches <see cref="LinkStateChanged"/>, <see cref="Ports"/> and <see cref="Statistics"/>.
/// </summary>
/// <remarks>
/// The forwarding thread reads the ports as one immutable <see cref="PortSet"/>, taken at the start of each round;
/// adding or removing a port publishes a new set. A port keeps its index (the number LFIB entries use) for as long as
/// it exists; a removed port's index is reused. A removed port's link is disposed only once the round that might
/// still be using it is over.
/// </remarks>
public sealed class CoreSwitch : IDisposable
{
    private readonly LabelSwitch _switch;
    private readonly Lock _installLock = new();
    private readonly Doorbell _doorbell = new();
    private readonly Func<int> _pollOnce;
    private PortSet _set = PortSet.Empty;
    private long _rounds;
    private Lfib _lfib = Lfib.Empty;
    private Thread? _thread;
    private volatile bool _stopping;

    /// <param name="log">Takes one line per fault its forwarding thread survives; standard error by default.</param>
    public CoreSwitch(string name, Action<string>? log = null)
    {
        Name = name;
        Faults = new PollFaults($"core {name}", log);
        _switch = new LabelSwitch(StableHash.Of(name));
        _pollOnce = PollOnce;
    }

    /// <summary>Raised on the forwarding thread when the liveness of any port changes.</summary>
    public event EventHandler<LivenessStateChange>? LinkStateChanged;

    public string Name { get; }

    /// <summary>The node's ports, in index order.</summary>
    public IReadOnlyList<CorePort> Ports => Volatile.Read(ref _set).Present;

    /// <summary>The installed table.</summary>
    public Lfib Lfib => Volatile.Read(ref _lfib);

    public LsrStatistics Statistics => _switch.Statistics;

    /// <summary>The rounds of the forwarding thread that threw, which it logged and survived.</summary>
    public PollFaults Faults { get; }

    /// <summary>
    /// Adds a port over <paramref name="link"/>, which the node now owns, under the lowest free index. With
    /// <paramref name="liveness"/> a session exchanges hellos on it and the port is up only while the session is;
    /// without, it is up unless forced down.
    /// </summary>
    public CorePort AddPort(LinkEnd link, LivenessOptions? liveness)
    {
        ArgumentNullException.ThrowIfNull(link);
        var session = liveness is null ? null : new LivenessSession(link, liveness);
        if (session is not null)
        {
            session.StateChanged += (_, change) => LinkStateChanged?.Invoke(this, change);
        }

        lock (_installLock)
        {
            var set = _set;
            var index = Array.IndexOf(set.Slots, null);
            var port = new CorePort(index < 0 ? set.Slots.Length : index, link, session);
            Volatile.Write(ref _set, set.With(port));
            link.WakeOnArrival(_doorbell);
            _doorbell.Wake(); // the session's first hello is due now, and a park may have been timed without it
            return port;
        }
    }

    /// <summary>
    /// Takes <paramref name="port"/> out of the node, and returns once no round uses it any more: its link is the
    /// caller's again. Throws <see cref="LsrException"/> while the installed LFIB still sends to it: install one
    /// without it first.
    /// </summary>
    public void RemovePort(CorePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        lock (_installLock)
        {
            if (_lfib.Entries.Any(e => e.NextHops.Any(h => h.Port == port.Index) || e.Backup?.Port == port.Index))
            {
                throw new LsrException($"core node {Name}: port {port.Index} ({port.Link.Name}) is still in LFIB v{_lfib.Version}");
            }

            Volatile.Write(ref _set, _set.Without(port));
        }

        port.Link.WakeOnArrival(null);
        WaitForRound();
    }

    /// <summary>
    /// Installs <paramref name="lfib"/> atomically. Returns false, leaving the installed table, when its
    /// version is not newer. Throws <see cref="LsrException"/> when it names a port this node does not have.
    /// </summary>
    public bool TryInstall(Lfib lfib)
    {
        ArgumentNullException.ThrowIfNull(lfib);
        lock (_installLock)
        {
            var slots = _set.Slots;
            var missing = lfib.Entries.SelectMany(e => e.Backup is { } backup ? e.NextHops.Append(backup) : e.NextHops).Select(h => h.Port)
                .FirstOrDefault(p => p >= slots.Length || slots[p] is null, -1);
            if (missing >= 0)
            {
                throw new LsrException($"core node {Name}: LFIB v{lfib.Version} uses port {missing}, which the node does not have");
            }

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
        _doorbell.Wake();
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
        var set = Volatile.Read(ref _set);
        var slots = set.Slots;
        var received = 0;
        _doorbell.Survey();
        for (var p = 0; p < slots.Length; p++)
        {
            set.Inputs[p].Clear();
            if (slots[p] is { } port)
            {
                received += port.Link.Receive(set.Inputs[p], now);
            }
        }

        for (var p = 0; p < slots.Length; p++)
        {
            slots[p]?.Liveness?.Poll(now);
            set.PortIsUp[p] = slots[p]?.IsUp ?? false;
        }

        for (var p = 0; p < slots.Length; p++)
        {
            if (set.Inputs[p].Count == 0)
            {
                continue;
            }

            _switch.Forward(lfib, set.Inputs[p], set.PortIsUp, set.Plan);
            for (var o = 0; o < slots.Length; o++)
            {
                slots[o]?.Link.Send(set.Inputs[p], set.Plan.Frames(o));
            }

            set.Plan.Clear();
        }

        Interlocked.Increment(ref _rounds);
        return received;
    }

    /// <summary>Whole milliseconds, rounded up, until a port's liveness session next has work; -1 for none.</summary>
    private int MillisecondsUntilNextTimer()
    {
        var due = long.MaxValue;
        foreach (var port in Volatile.Read(ref _set).Slots)
        {
            if (port?.Liveness is { } session)
            {
                due = Math.Min(due, session.NextDue);
            }
        }

        if (due == long.MaxValue)
        {
            return -1;
        }

        var ticks = due - Stopwatch.GetTimestamp();
        return ticks <= 0 ? 0 : (int)Math.Min((ticks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency, int.MaxValue);
    }

    public void Dispose()
    {
        Stop();
        foreach (var port in Ports)
        {
            port.Link.Dispose();
        }
    }

    /// <summary>Waits until the forwarding thread has begun a round after now, so none still holds an older port set.</summary>
    private void WaitForRound()
    {
        if (_thread is null)
        {
            return;
        }

        var start = Interlocked.Read(ref _rounds);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Interlocked.Read(ref _rounds) < start + 2 && _thread is not null && Stopwatch.GetTimestamp() < deadline)
        {
            _doorbell.Ring();
            Thread.Sleep(1);
        }
    }

    private void Run()
    {
        // Links wake the doorbell when frames arrive; a park ends when the next liveness hello or detection time is
        // due, so an idle node with no sessions sleeps until a frame comes.
        var idle = new IdleRounds();
        while (!_stopping)
        {
            try
            {
                if (idle.ParkAfter(PollOnce()))
                {
                    idle.ParkAfter(_doorbell.Park(_pollOnce, MillisecondsUntilNextTimer()));
                }
            }
#pragma warning disable CA1031 // Whatever a round throws (a link end, a liveness subscriber) must not end the process.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Faults.Take(e);
            }
        }
    }
}
