using System.Net.Http.Json;
using System.Text.Json;

namespace Sdn.Testing;

/// <summary>
/// `sdn graph` serving its page on a free loopback port, run in this process against a controller as a user would
/// type it, and the snapshots its server sends the page (server-sent events at /events, event `fabric`), read in order.
/// </summary>
public sealed class RunningGraph : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop;
    private readonly Task<int> _command;
    private readonly HttpClient _http = new();
    private StreamReader? _events;

    private RunningGraph(CancellationTokenSource stop, Task<int> command, Uri page)
    {
        _stop = stop;
        _command = command;
        Page = page;
    }

    /// <summary>The page's address, as the command printed it.</summary>
    public Uri Page { get; }

    /// <summary>Starts `sdn graph --listen 127.0.0.1:0 <paramref name="options"/>` and waits for the address it serves at.</summary>
    public static async Task<RunningGraph> StartAsync(Uri controller, params string[] options)
    {
        var stop = new CancellationTokenSource();
        var output = new ServedAddress();
        var error = new StringWriter();
        var command = SdnCli.RunAsync(controller, output, error, ["graph", "--listen", "127.0.0.1:0", .. options], stop.Token);
        if (await Task.WhenAny(output.Address, command, Task.Delay(Patience)) != output.Address)
        {
            await stop.CancelAsync();
            stop.Dispose();
            Assert.Fail($"`sdn graph` printed no address: {output}{error}");
        }

        return new RunningGraph(stop, command, await output.Address);
    }

    /// <summary>The state ("up", "pending", ...) of the node or line <paramref name="id"/>; null while the snapshot has no such one, as the first may have none at all.</summary>
    public static string? StateOf(JsonElement snapshot, string id) =>
        snapshot.GetProperty("nodes").EnumerateArray().Concat(snapshot.GetProperty("links").EnumerateArray())
            .Where(o => o.GetProperty("id").GetString() == id).Select(o => o.GetProperty("state").GetString()).FirstOrDefault();

    /// <summary>The JSON a path of the page's server answers, such as nodes/KIND/NAME.</summary>
    public Task<JsonElement> GetAsync(string path) => _http.GetFromJsonAsync<JsonElement>(new Uri(Page, path));

    /// <summary>Reads the page's snapshots, from where the last call left off, until one satisfies <paramref name="wanted"/>, and returns it.</summary>
    /// <param name="what">What <paramref name="wanted"/> waits for, for the failure's message.</param>
    public async Task<JsonElement> UntilSnapshotAsync(Func<JsonElement, bool> wanted, string what)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        _events ??= new StreamReader(await _http.GetStreamAsync(new Uri(Page, "events")));
        using var patience = new CancellationTokenSource(Patience);
        var last = "none";
        try
        {
            while (await _events.ReadLineAsync(patience.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                last = line["data:".Length..];
                var snapshot = JsonSerializer.Deserialize<JsonElement>(last);
                if (wanted(snapshot))
                {
                    return snapshot;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with the last snapshot seen.
        }

        Assert.Fail($"the page never showed {what} within {Patience.TotalSeconds} s; the last snapshot: {last}");
        return default;
    }

    /// <summary>Stops the command as Ctrl-C does, and checks that it ended as it should then, with exit code 0.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _events?.Dispose();
        _http.Dispose();
        try
        {
            Assert.Equal(0, await _command);
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
