using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Graph;

/// <summary>`sdn graph`'s page on the running quickstart fabric, in a real browser: Debian's chromium, headless.</summary>
public sealed partial class GraphPageTests(GraphPageSession session) : IClassFixture<GraphPageSession>
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Debian_chromium_runs_headless_under_playwright()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await GraphPageSession.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("<p id=greeting>sdn</p>");

        Assert.Equal("sdn", await page.Locator("#greeting").TextContentAsync());
    }

    [KvmFact]
    public async Task The_page_lists_every_node_and_link_of_quickstart_and_shows_an_edges_flow_table_as_sdn_flows_prints_it()
    {
        var page = await session.PageAsync();
        var quickstart = TopologyRun.Load("quickstart.yaml").State;
        var nodes = quickstart.CoreNodes.Select(c => $"core:{c.Name}").Concat(quickstart.Edges.Select(e => $"edge:{e.Name}"))
            .Concat(quickstart.Ports.Select(p => p.Kind == PortKind.Tap ? $"host:{p.Name}" : $"vm:{p.Name}"));
        var links = quickstart.Links.Select(l => $"link:{l.Name}").Concat(quickstart.Ports.Select(p => $"port:{p.Name}"));

        // Every node up once the VMs have booted: the table beside the graph lists them, and the graph draws them.
        await Assertions.Expect(page.Locator("#nodes tbody tr[data-state='up']")).ToHaveCountAsync(nodes.Count(), new() { Timeout = (float)Boot.TotalMilliseconds });
        Assert.Equal(nodes.Order(), (await Ids(page, "#nodes tbody tr")).Order());
        Assert.Equal(links.Order(), (await Ids(page, "#links tbody tr")).Order());
        Assert.Equal(nodes.Concat(links).Order(), (await page.EvaluateAsync<string[]>("() => window.sdnGraph.elements().map(e => e.id())")).Order());

        await ClickNodeAsync(page, "edge:e1");
        await Assertions.Expect(page.Locator("#flows")).ToContainTextAsync("priority=");
        var shown = await page.Locator("#flows").TextContentAsync();
        var (exit, printed) = await SdnCli.InvokeAsync(session.Fabric.Address, "flows", "e1");
        Assert.Equal(0, exit);
        Assert.Equal(WithoutCounters(printed), WithoutCounters(shown!));
        await Assertions.Expect(page.Locator("#counters")).ToContainTextAsync("e1--c1");
        await page.ScreenshotAsync(new() { Path = GraphPageSession.ArtifactPath("quickstart-e1.png") });
    }

    [KvmFact]
    public async Task A_link_cut_with_sdn_link_set_shows_down_on_the_page_within_a_second()
    {
        var page = await session.PageAsync();
        var row = page.Locator("#links tr[data-id='link:e1--c1']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "up", new() { Timeout = (float)Boot.TotalMilliseconds });
        try
        {
            Assert.Equal(0, (await SdnCli.InvokeAsync(session.Fabric.Address, "link", "set", "e1--c1", "down")).Exit);
            var cut = Stopwatch.StartNew();
            await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "down", new() { Timeout = 1000 });
            Assert.Equal("down", await page.EvaluateAsync<string>("() => window.sdnGraph.getElementById('link:e1--c1').data('state')"));
            Assert.True(cut.Elapsed < TimeSpan.FromSeconds(1), $"the page showed the cut link down after {cut.Elapsed.TotalMilliseconds:F0} ms");
            await page.ScreenshotAsync(new() { Path = GraphPageSession.ArtifactPath("quickstart-link-down.png") });
        }
        finally
        {
            await SdnCli.InvokeAsync(session.Fabric.Address, "link", "set", "e1--c1", "up");
        }

        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "up");
    }

    [KvmFact]
    public async Task Packet_rates_move_on_the_page_while_sdn_ping_sends_many_requests()
    {
        var page = await session.PageAsync();
        var vm = page.Locator("#links tr[data-id='port:red1'] td:nth-child(4)");
        await Assertions.Expect(page.Locator("#links tr[data-id='port:red1']")).ToHaveAttributeAsync("data-state", "up", new() { Timeout = (float)Boot.TotalMilliseconds });
        var ping = SdnCli.InvokeAsync(session.Fabric.Address, "ping", "red1", "red2", "--count", "3000", "--interval", "0.002");

        // The requests go out of e1 as if red1 sent them, so its port counts them: its rate, A to B, leaves 0 and reaches the hundreds.
        await Assertions.Expect(vm).ToHaveTextAsync(Hundreds(), new() { Timeout = 10_000 });
        var rate = await page.EvaluateAsync<string>("() => window.sdnGraph.getElementById('port:red1').data('label')");
        Assert.Matches(@"^[1-9][\d.]*k? / [1-9][\d.]*k? pkt/s$", rate);
        await page.ScreenshotAsync(new() { Path = GraphPageSession.ArtifactPath("quickstart.png") });

        var (exit, output) = await ping;
        Assert.True(exit == 0, output);
        await Assertions.Expect(vm).ToHaveTextAsync("0", new() { Timeout = 10_000 });
    }

    private static async Task<string[]> Ids(IPage page, string rows) =>
        [.. await page.Locator(rows).EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)")];

    /// <summary>Clicks the node where the graph draws it, as a user would.</summary>
    private static async Task ClickNodeAsync(IPage page, string id)
    {
        var box = await page.Locator("#graph").BoundingBoxAsync();
        var at = await page.EvaluateAsync<Position>($"() => window.sdnGraph.getElementById('{id}').renderedPosition()");
        await page.Mouse.ClickAsync(box!.X + at.X, box.Y + at.Y);
    }

    /// <summary>The flow lines without their counters and ages, which move between two dumps.</summary>
    private static string WithoutCounters(string flows) => Counters().Replace(flows.ReplaceLineEndings("\n").Trim(), string.Empty);

    [GeneratedRegex(@"^(\d{3,}|[\d.]+k)$")]
    private static partial Regex Hundreds();

    [GeneratedRegex(@"duration=[^,]*, |n_packets=\d+, n_bytes=\d+, idle_age=\d+, ")]
    private static partial Regex Counters();
}
