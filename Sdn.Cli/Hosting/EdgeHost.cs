using System.Diagnostics;
using Sdn.Common.Polling;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Cli.Hosting;

/// <summary>
/// One edge: an <see cref="EdgeSwitch"/> programmed by its own <see cref="EdgeAgent"/> over the controller's
/// southbound gRPC, the VMs, hosts and uplinks its program names (<see cref="EdgePorts"/>), and a thread that polls
/// the switch and tells the controller what became of each VM and host.
/// </summary>
internal sealed class EdgeHost : IAsyncDisposable
{
    private readonly Thread _thread;
    private readonly Dictionary<string, PortStatus> _reported = new(StringComparer.Ordinal);
    private readonly ProgramEquality _held = new();
    private long _reportedInSession;
    private volatile bool _stopping;

    public EdgeHost(string name, LinkEnds links, BootGate boot, EmbeddedFabricOptions options, NodeConnection connection)
    {
        Switch = new EdgeSwitch(conntrackCapacity: options.ConntrackLimit);
        Ports = new EdgePorts(name, links, boot, options);
        Faults = new PollFaults($"edge {name}");
        Agent = new EdgeAgent(name, Switch, Ports, connection.Controller, retryDelay: TimeSpan.FromMilliseconds(50))
        {
            Underlay = connection.Underlay,
            Credentials = connection.Credentials,
        };
        _thread = new Thread(Run) { IsBackground = true, Name = $"edge {name}" };
    }

    public EdgeSwitch Switch { get; }

    public EdgeAgent Agent { get; }

    public EdgePorts Ports { get; }

    /// <summary>The rounds of the edge's thread that threw, which it logged and survived.</summary>
    public PollFaults Faults { get; }

    public string Name => Agent.NodeName;

    public void Start()
    {
        Agent.Start();
        _thread.Start();
    }

    /// <summary>Whether the switch holds exactly <paramref name="program"/>; for one caller at a time.</summary>
    public bool Holds(NodeProgram program) => _held.Same(Agent.Programmer.Program, program);

    /// <summary>Stops the thread and the agent, and takes down every VM, host and link end the edge runs.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        Switch.Datapath.Doorbell.Wake();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        await Agent.DisposeAsync().ConfigureAwait(false);
        Ports.TakeDownAll();
    }

    private void Run()
    {
        var idle = new IdleRounds();
        var status = new StatusSchedule();
        var versionReported = ulong.MaxValue;
        Func<int> poll = Agent.Poll;
        while (!_stopping)
        {
            try
            {
                // A new session (its first batch rings the doorbell) hears of everything at once.
                if (Stopwatch.GetTimestamp() >= status.NextDue || Agent.Sessions != _reportedInSession)
                {
                    var version = Agent.AppliedVersion;
                    var changed = ReportStatusChanges() | version != versionReported;
                    versionReported = version;
                    status.Looked(Stopwatch.GetTimestamp(), changed);
                }

                // A parked edge sleeps until a port has frames, a program arrives, or a timer is due: an uplink's
                // liveness hello, or the next status report.
                if (idle.ParkAfter(Agent.Poll()))
                {
                    idle.ParkAfter(Switch.Datapath.Doorbell.Park(poll, MillisecondsUntil(Math.Min(status.NextDue, Agent.NextTimerDue()))));
                }
            }
#pragma warning disable CA1031 // Whatever a round throws (a port, a report) must not end the process.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Faults.Take(e);
            }
        }
    }

    /// <summary>The whole milliseconds until <paramref name="due"/> (a stopwatch timestamp), rounded up.</summary>
    private static int MillisecondsUntil(long due)
    {
        var ticks = due - Stopwatch.GetTimestamp();
        return ticks <= 0 ? 0 : (int)Math.Min((ticks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency, int.MaxValue);
    }

    /// <summary>
    /// Reports what changed since the last report, and everything again to a new session: a controller that restarted
    /// knows nothing. Returns whether there was anything to report.
    /// </summary>
    private bool ReportStatusChanges()
    {
        if (Agent.Sessions != _reportedInSession)
        {
            _reportedInSession = Agent.Sessions;
            _reported.Clear();
        }

        var reported = false;
        foreach (var status in Ports.Statuses())
        {
            if (!_reported.TryGetValue(status.Port, out var last) || !last.Equals(status))
            {
                _reported[status.Port] = status;
                Agent.ReportPort(status);
                reported = true;
            }
        }

        return reported;
    }
}
