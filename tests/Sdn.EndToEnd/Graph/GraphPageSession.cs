using Microsoft.Playwright;
using Sdn.Cli.Hosting;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Graph;

/// <summary>
/// The quickstart fabric, `sdn graph` serving its page on a free port, and the page open in Debian's chromium,
/// headless, driven by Playwright; shared by the tests of a class. A missing chromium fails the tests, naming the
/// package, rather than skipping them.
/// </summary>
public sealed class GraphPageSession : IAsyncLifetime, IDisposable
{
    /// <summary>Debian's chromium; Playwright cannot download browsers of its own here.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _graph;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    internal EmbeddedFabric Fabric { get; private set; } = null!;

    public IPage Page { get; private set; } = null!;

    /// <summary>Where a test keeps its screenshots: the test output directory's graph/ folder.</summary>
    public static string ArtifactPath(string file) => Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "graph")).FullName, file);

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the graph page's tests drive Debian's chromium headless. Install the Debian package chromium (`sudo apt-get install chromium`; ./test.sh installs it).");
        Fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml"));
        var output = new ServedAddress();
        var error = new StringWriter();
        _graph = SdnCli.RunAsync(Fabric.Address, output, error, ["graph", "--listen", "127.0.0.1:0"], _stop.Token);
        var first = await Task.WhenAny(output.Address, _graph, Task.Delay(TopologyRun.Timeout));
        Assert.True(first == output.Address, $"`sdn graph` printed no address: {output}{error}");
        var address = await output.Address;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        Page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 800 } });
        await Page.GotoAsync(address.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _stop.CancelAsync();
        if (_graph is not null)
        {
            Assert.Equal(0, await _graph);
        }

        if (Fabric is not null)
        {
            await Fabric.DisposeAsync();
        }
    }

    public void Dispose() => _stop.Dispose();
}
