using Sdn.Contracts;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Tests.Paths;

public class PathComputerTests
{
    /// <summary>
    /// e1 reaches c1, which has two equal-cost ways to c4 (via c2 or c3), and a longer third one
    /// via c5; both edges are dual-homed (e1-c5, e2-c5 cost 5), so fully disjoint backups exist.
    /// </summary>
    private const string Diamond = "e1-c1 c1-c2 c1-c3 c2-c4 c3-c4 c4-e2 c1-c5:3 c5-c4:3 e1-c5:5 e2-c5:5";

    [Fact]
    public void Equal_cost_paths_form_the_ecmp_set()
    {
        var paths = new PathComputer(Graph(Diamond));

        var c1 = paths.Trees["e2"].Routes["c1"];

        Assert.Equal(3u, c1.Distance);
        Assert.Equal(["c1-c2", "c1-c3"], c1.NextHops.Select(h => h.Link));
        Assert.Equal(["e1-c1"], paths.Trees["e2"].Routes["e1"].NextHops.Select(h => h.Link));
        Assert.Equal(4u, paths.Trees["e2"].Routes["e1"].Distance);
    }

    [Fact]
    public void Every_backup_shares_no_link_with_the_primary_paths_when_it_can()
    {
        var tree = new PathComputer(Graph(Diamond)).Trees["e2"];

        foreach (var route in tree.Routes.Values)
        {
            Assert.NotNull(route.Backup);
            Assert.True(route.BackupFullyDisjoint, route.Node);
            Assert.Empty(route.Backup.Select(h => h.Link).Intersect(tree.PrimaryLinksFrom(route.Node)));
            Assert.Equal((route.Node, "e2"), (route.Backup[0].From, route.Backup[^1].To));
        }

        Assert.Equal(["e1-c5", "e2-c5"], tree.Routes["e1"].Backup!.Select(h => h.Link));
    }

    [Fact]
    public void A_single_homed_node_still_gets_a_backup_around_its_own_next_hops()
    {
        var tree = new PathComputer(Graph("e1-c1 c1-c2 c2-e2 c1-c3:2 c3-e2:2")).Trees["e2"];

        var e1 = tree.Routes["e1"];
        var c1 = tree.Routes["c1"];

        Assert.Null(e1.Backup);
        Assert.True(c1.BackupFullyDisjoint);
        Assert.Equal(["c1-c3", "c3-e2"], c1.Backup!.Select(h => h.Link));
    }

    [Fact]
    public void Paths_never_pass_through_an_edge()
    {
        var paths = new PathComputer(Graph("e1-c1 c1-e3 e3-c2 c2-e2"));

        Assert.False(paths.Trees["e2"].Routes.ContainsKey("e1"));
        Assert.True(paths.Trees["e2"].Routes.ContainsKey("e3"));
    }

    [Fact]
    public void A_lost_link_recomputes_only_the_trees_that_use_it()
    {
        // Two separate islands share nothing: losing a link of one must not touch the other.
        var paths = new PathComputer(Graph(Diamond + " e3-c7 c7-e4"));
        var untouched = paths.Trees["e4"];

        var changed = paths.Update(paths.Graph.WithLink("c1-c2", up: false));

        Assert.Equal(["e1", "e2"], changed);
        Assert.Equal(2, paths.LastRecomputed);
        Assert.Same(untouched, paths.Trees["e4"]);
        Assert.Equal(["c1-c3"], paths.Trees["e2"].Routes["c1"].NextHops.Select(h => h.Link));
    }

    [Fact]
    public void After_a_failure_the_path_moves_to_the_backup()
    {
        var paths = new PathComputer(Graph(Diamond));
        var backupBefore = paths.Trees["e2"].Routes["c1"].Backup!;

        paths.Update(paths.Graph.WithLink("c1-c2", up: false).WithLink("c1-c3", up: false));

        var c1 = paths.Trees["e2"].Routes["c1"];
        Assert.Equal(["c1-c5"], c1.NextHops.Select(h => h.Link));
        Assert.Equal(backupBefore[0], c1.NextHops[0]);
        Assert.Equal(7u, c1.Distance);
    }

    [Fact]
    public void A_link_coming_up_recomputes_everything_but_reports_only_real_changes()
    {
        var paths = new PathComputer(Graph(Diamond + " e3-c7 c7-e4").WithLink("c1-c2", up: false));

        var changed = paths.Update(paths.Graph.WithLink("c1-c2", up: true));

        Assert.Equal(4, paths.LastRecomputed);
        Assert.Equal(["e1", "e2"], changed);
        Assert.Equal(["c1-c2", "c1-c3"], paths.Trees["e2"].Routes["c1"].NextHops.Select(h => h.Link));
    }

    [Fact]
    public void The_same_graph_always_gives_the_same_paths()
    {
        var first = new PathComputer(Graph(Diamond));
        var second = new PathComputer(Graph(string.Join(' ', Diamond.Split(' ').Reverse())));

        Assert.All(first.Trees, t => Assert.Equal(t.Value, second.Trees[t.Key]));
    }

    [Fact]
    public void The_desired_state_gives_the_graph_with_downed_links_down()
    {
        var state = new FabricState
        {
            Edges = { new EdgeNode { Name = "e1" }, new EdgeNode { Name = "e2" } },
            CoreNodes = { new CoreNode { Name = "c1" } },
            Links =
            {
                new Link { Name = "a", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" }, Cost = 1 },
                new Link { Name = "b", A = new LinkEndpoint { Node = "c1" }, B = new LinkEndpoint { Node = "e2" }, Cost = 1, AdminDown = true },
            },
        };

        var paths = new PathComputer(PathGraph.FromState(state));

        Assert.Equal(["e1", "e2"], paths.Graph.EdgeNames);
        Assert.Empty(paths.Trees["e2"].Routes);
        Assert.Equal(1u, paths.Trees["e1"].Routes["c1"].Distance);
    }

    /// <summary>"a-b[:cost] ...": nodes named e* are edges, the rest core nodes; each link is named "a-b".</summary>
    private static PathGraph Graph(string spec)
    {
        var links = spec.Split(' ').Select(token =>
        {
            var parts = token.Split(':');
            var ends = parts[0].Split('-');
            return new PathLink(parts[0], ends[0], ends[1], parts.Length > 1 ? uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1, Up: true);
        }).ToList();
        var nodes = links.SelectMany(l => new[] { l.A, l.B }).Distinct()
            .ToDictionary(n => n, n => n.StartsWith('e') ? PathNodeRole.Edge : PathNodeRole.Core);
        return new PathGraph(nodes, links);
    }
}
