using Microsoft.Playwright;
using Sdn.Cli.Hosting;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Graph;

/// <summary>
/// The quickstart fabric, `sdn graph` serving its page on a free port, and the page open in Debian's chromium,
/// headless, driven by Playwright; shared by the tests of a class, and started on first use, so tests skipped for
/// want of /dev/kvm start nothing. A missing chromium fails the tests, naming the package, rather than skipping them.
/// </summary>
public sealed class GraphPageSession : IAsyncLifetime
{
    /// <summary>Debian's chromium; Playwright cannot download browsers of its own here.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private readonly Lazy<Task<IPage>> _page;
    private RunningGraph? _graph;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private EmbeddedFabric? _fabric;

    public GraphPageSession() => _page = new(StartAsync);

    /// <summary>The running fabric; only once <see cref="PageAsync"/> has started it.</summary>
    internal EmbeddedFabric Fabric => _fabric ?? throw new InvalidOperationException("the fabric starts with the page: call PageAsync first");

    public Task<IPage> PageAsync() => _page.Value;

    /// <summary>Where a test keeps its screenshots: the test output directory's graph/ folder.</summary>
    public static string ArtifactPath(string file) => Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "graph")).FullName, file);

    /// <summary>Debian's chromium, headless, under Playwright; fails naming the package when it is not installed.</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the graph page's tests drive Debian's chromium headless. Install the Debian package chromium (`sudo apt-get install chromium`; ./test.sh installs it).");
        return await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_graph is not null)
        {
            await _graph.DisposeAsync();
        }

        if (_fabric is not null)
        {
            await _fabric.DisposeAsync();
        }
    }

    private async Task<IPage> StartAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync(_playwright);
        _fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml"));
        _graph = await RunningGraph.StartAsync(_fabric.Address);

        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 800 } });
        await page.GotoAsync(_graph.Page.ToString());
        return page;
    }
}
