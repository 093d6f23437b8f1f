using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Tests;

/// <summary>`sdn stats` text: the NAT section lists the edges that translated, and NAT's drops show by reason.</summary>
public class StatsTextTests
{
    [Fact]
    public void Only_an_edge_that_translated_gets_a_nat_row_and_nat_drops_show_by_reason()
    {
        var stats = new StatsReply
        {
            Nodes =
            {
                Edge("gw", translated: 7, now: 2, exhausted: 3),
                Edge("e1", translated: 0, now: 0, exhausted: 0),
            },
        };

        var text = StatsText.Render(stats);

        Assert.Matches(@"(?m)^NODE\s+NAT CONNECTIONS\s+NAT TRANSLATED$", text);
        Assert.Matches(@"(?m)^gw\s+2\s+7$", text);
        Assert.DoesNotMatch(@"(?m)^e1\s+0\s+0$", text);
        Assert.Matches(@"(?m)^gw\s+nat_ports_exhausted\s+3$", text);
    }

    private static NodeStats Edge(string name, ulong translated, ulong now, ulong exhausted) => new()
    {
        Node = name,
        Connected = true,
        Counters = new CounterReport
        {
            Datapath = { ["miss"] = 1, ["nat_translated"] = translated, ["nat_connections"] = now },
            Drops = { ["nat_ports_exhausted"] = exhausted },
        },
    };
}
