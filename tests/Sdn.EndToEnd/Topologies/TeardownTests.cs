using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.EndToEnd.Topologies;

/// <summary>A bring-up that fails half-way leaves nothing behind.</summary>
public sealed class TeardownTests
{
    [KvmFact]
    public async Task A_bring_up_that_times_out_after_the_hosts_exist_deletes_their_namespace_and_tap()
    {
        // No time at all for a stage: programming or, if that was done at the first look, the VMs' boot times out.
        var options = TopologyRun.Options() with { StageTimeout = TimeSpan.Zero };

        var failure = await Assert.ThrowsAsync<HostingException>(() => EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options));

        Assert.Matches("not programmed|not up", failure.Message);
        Assert.DoesNotContain(options.NamePrefix + "h1", ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(options.NamePrefix + "h1", ExternalCommand.Run("ip", "link", "show"), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_namespace_left_by_an_earlier_run_is_refused_with_how_to_remove_it_and_left_alone()
    {
        var options = TopologyRun.Options();
        using var leftOver = NetworkNamespace.Create(options.NamePrefix + "h1");

        var failure = await Assert.ThrowsAsync<HostingException>(() => EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options));

        Assert.Contains($"`ip netns del {leftOver.Name}`", failure.Message, StringComparison.Ordinal);
        Assert.Contains(leftOver.Name, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }
}
