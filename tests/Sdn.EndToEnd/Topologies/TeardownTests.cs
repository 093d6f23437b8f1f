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
        // e1 refuses every batch that carries red1, so it is never programmed; e2 realizes h1 meanwhile.
        var options = TopologyRun.Options() with
        {
            StageTimeout = TimeSpan.FromSeconds(3),
            BeforeRealize = (_, port) =>
            {
                if (port.Name == "red1")
                {
                    throw new InvalidOperationException("red1 cannot be attached");
                }
            },
        };

        var failure = await Assert.ThrowsAsync<HostingException>(() => EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options));

        Assert.StartsWith("not all nodes programmed after 3 s: e1;", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(options.NamePrefix + "h1", ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(options.NamePrefix + "h1", ExternalCommand.Run("ip", "link", "show"), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_namespace_with_a_device_in_it_is_refused_with_how_to_remove_it_and_left_alone()
    {
        var options = TopologyRun.Options();
        using var leftOver = NetworkNamespace.Create(options.NamePrefix + "h1");
        leftOver.Run("ip", "link", "add", "busy0", "type", "veth", "peer", "name", "busy1");

        var failure = await Assert.ThrowsAsync<HostingException>(() => EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options));

        Assert.Contains("exists already with busy", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"`ip netns del {leftOver.Name}`", failure.Message, StringComparison.Ordinal);
        Assert.Contains(leftOver.Name, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_namespace_a_killed_edge_left_empty_is_taken_back_for_its_host()
    {
        var options = TopologyRun.Options();
        NetworkNamespace.Create(options.NamePrefix + "h1");

        await using var fabric = await EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options);

        var h1 = fabric.Hosts["h1"];
        Assert.Contains(h1.Device, h1.Namespace.Run("ip", "-o", "link", "show"), StringComparison.Ordinal);
    }
}
