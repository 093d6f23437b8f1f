using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>How the compiler makes each link end, from where the two nodes run: with the controller, or at an underlay address of their own.</summary>
public class LinkPlacementTests
{
    private readonly FabricModel _model = Topologies.DualHomed();

    [Fact]
    public void Nodes_that_run_with_the_controller_get_their_links_kind_memory_when_left_out()
    {
        var end = EndOf("e1", "e1-c1");

        Assert.Equal((LinkKind.Memory, "", "", false, ""), (end.Kind, end.LocalUnderlay, end.PeerUnderlay, end.Hellos, end.Unrealizable));
    }

    [Fact]
    public void Nodes_with_addresses_get_mpls_in_udp_between_them_with_hellos()
    {
        PlaceEverywhere();

        var e1 = EndOf("e1", "e1-c1");
        var c1 = EndOf("c1", "e1-c1");

        Assert.Equal((LinkKind.Udp, "192.0.2.1:6635", "192.0.2.3:6635", true), (e1.Kind, e1.LocalUnderlay, e1.PeerUnderlay, e1.Hellos));
        Assert.Equal((LinkKind.Udp, "192.0.2.3:6635", "192.0.2.1:6635", true), (c1.Kind, c1.LocalUnderlay, c1.PeerUnderlay, c1.Hellos));
    }

    [Fact]
    public void A_link_between_a_node_with_the_controller_and_one_elsewhere_cannot_be_made()
    {
        _model.SetNodeAddress("e1", "192.0.2.1:6635");

        var end = EndOf("c1", "e1-c1");

        Assert.Equal(
            "c1 runs with the controller and e1 at 192.0.2.1:6635: a link joins two nodes that both run with the controller, or both in processes of their own",
            end.Unrealizable);
        Assert.Equal(end.Unrealizable, LinkEndPlacement.Unrealizable(_model.Get(ResourceKinds.Links, "e1-c1"), _model.Snapshot()));
        Assert.Null(LinkEndPlacement.Unrealizable(_model.Get(ResourceKinds.Links, "c2-e2"), _model.Snapshot()));
    }

    [Fact]
    public void A_memory_link_between_processes_cannot_be_made()
    {
        _model.Create(ResourceKinds.Links, new Link { Name = "c1-c2", A = new LinkEndpoint { Node = "c1" }, B = new LinkEndpoint { Node = "c2" }, Kind = LinkKind.Memory });
        PlaceEverywhere();

        Assert.Equal(
            "a memory link joins nodes of one process, but c1 runs at 192.0.2.3:6635 and c2 at 192.0.2.4:6635: make it udp, or leave its kind out",
            EndOf("c1", "c1-c2").Unrealizable);
    }

    [Fact]
    public void Setting_a_nodes_address_is_a_new_version_only_when_it_changes()
    {
        var before = _model.Version;

        Assert.True(_model.SetNodeAddress("c1", "192.0.2.3:6635"));
        Assert.False(_model.SetNodeAddress("c1", "192.0.2.3:6635"));

        Assert.Equal(before + 1, _model.Version);
        Assert.Equal(ModelError.InvalidArgument, Assert.Throws<ModelException>(() => _model.SetNodeAddress("c1", "ctl.example:6635")).Error);
        Assert.Equal(ModelError.NotFound, Assert.Throws<ModelException>(() => _model.SetNodeAddress("c9", "192.0.2.9:6635")).Error);
    }

    private void PlaceEverywhere()
    {
        foreach (var (node, host) in new[] { ("e1", 1), ("e2", 2), ("c1", 3), ("c2", 4) })
        {
            _model.SetNodeAddress(node, $"192.0.2.{host}:6635");
        }
    }

    private LinkEndConfig EndOf(string node, string link) =>
        FabricCompiler.Compile(_model.Snapshot()).ProgramOf(node).Ports.Values.Single(p => p.Link?.Link == link).Link;
}
