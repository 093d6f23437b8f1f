using System.Net;
using Sdn.Cli.Output;
using Sdn.Contracts;

namespace Sdn.Cli.Hosting;

/// <summary>How <see cref="EmbeddedFabric"/> runs a topology.</summary>
internal sealed record EmbeddedFabricOptions
{
    /// <summary>Where the controller listens instead of the topology's own address (port 0: any free port).</summary>
    public IPEndPoint? Listen { get; init; }

    /// <summary>Let the controller serve an address other hosts can reach, open to anyone who reaches it.</summary>
    public bool Insecure { get; init; }

    /// <summary>Where to serve the controller's Prometheus endpoint, with every embedded agent's apply times; none when null.</summary>
    public IPEndPoint? Metrics { get; init; }

    /// <summary>
    /// Put before each host's name to name its namespace and TAP device. Host names have up to 10 characters
    /// and Linux device names up to 15, so keep it to 5.
    /// </summary>
    public string NamePrefix { get; init; } = DefaultNamePrefix;

    public const string DefaultNamePrefix = "sdn-";

    /// <summary>Told one line per step of the bring-up.</summary>
    public Action<string> Progress { get; init; } = _ => { };

    /// <summary>Told, while the bring-up waits, how many of its calls, nodes or VMs are done and which are not.</summary>
    public IProgress<ProgressReport>? Stages { get; init; }

    /// <summary>Told each line a VM's application prints (VM name, line), except echo's, which only says it is up.</summary>
    public Action<string, string>? GuestOutput { get; init; }

    /// <summary>
    /// Called with the edge's name before the edge realizes a port; what it throws refuses the whole batch that carries
    /// the port, as any fault of an edge's batch handler does. Tests inject faults through it.
    /// </summary>
    public Action<string, PortConfig>? BeforeRealize { get; init; }

    /// <summary>How many connections each edge's tracker holds; new ones beyond are dropped and counted.</summary>
    public int ConntrackLimit { get; init; } = Fabric.Edge.Conntrack.ConnectionTracker.DefaultCapacity;

    /// <summary>How long each stage may take: every node programmed, every application up.</summary>
    public TimeSpan StageTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
