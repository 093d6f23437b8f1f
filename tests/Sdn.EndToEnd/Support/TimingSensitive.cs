namespace Sdn.EndToEnd.Support;

/// <summary>
/// Tests that measure loss in milliseconds across several `sdn` processes: the rack's faults and the node processes.
/// They run alone, after the other end-to-end tests, since on a two-core machine the hundred VMs and iperf3 runs of
/// those would stall the nodes' 10 ms liveness hellos and flap the links they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
