using System.Text.Json;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// `sdn graph` given three controllers over one etcd store, the leader first: when the leader dies, the page's live
/// data moves on to another controller instead of showing the dead one's error until the command is restarted.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class GraphFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_graph_goes_on_showing_the_fabric_after_the_controller_it_started_with_dies()
    {
        using var controllers = await ReplicatedControllers.StartAsync();
        var leader = await controllers.LeaderAsync(TimeSpan.FromSeconds(10));
        var survivor = controllers.Controllers.First(c => c != leader);
        var leaderFirst = string.Join(',', controllers.Controllers.OrderBy(c => c == leader ? 0 : 1).Select(c => c.Address));
        using var stop = new CancellationTokenSource();
        var output = new ServedAddress();
        var error = new StringWriter();
        var graph = SdnCli.RunAsync(leader.Address, output, error, ["graph", "--listen", "127.0.0.1:0", "--controller", leaderFirst], stop.Token);
        try
        {
            var first = await Task.WhenAny(output.Address, graph, Task.Delay(Patience));
            Assert.True(first == output.Address, $"`sdn graph` printed no address: {output}{error}");
            using var http = new HttpClient();
            using var events = new StreamReader(await http.GetStreamAsync(new Uri(await output.Address, "events")));

            await controllers.Client(leader).CreateTenantAsync(new Tenant { Name = "before" });
            await UntilSnapshotAsync(events, (await controllers.Client(leader).GetStateAsync(new GetStateRequest())).Version);
            leader.Kill();
            await controllers.Client(survivor).CreateTenantAsync(new Tenant { Name = "after" }, deadline: DateTime.UtcNow.Add(Patience));

            await UntilSnapshotAsync(events, (await controllers.Client(survivor).GetStateAsync(new GetStateRequest())).Version);
        }
        finally
        {
            await stop.CancelAsync();
            await graph;
        }
    }

    /// <summary>Reads the page's server-sent events until one shows <paramref name="version"/> or later, drawn without an error.</summary>
    private static async Task UntilSnapshotAsync(StreamReader events, ulong version)
    {
        using var patience = new CancellationTokenSource(Patience);
        var last = "none";
        try
        {
            while (await events.ReadLineAsync(patience.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                using var snapshot = JsonDocument.Parse(line["data:".Length..]);
                var shown = snapshot.RootElement.GetProperty("version").GetUInt64();
                var failure = snapshot.RootElement.GetProperty("error").GetString();
                last = $"version {shown}, error '{failure}'";
                if (shown >= version && string.IsNullOrEmpty(failure))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with the last snapshot seen.
        }

        Assert.Fail($"the page never showed version {version} without an error; the last snapshot: {last}");
    }
}
