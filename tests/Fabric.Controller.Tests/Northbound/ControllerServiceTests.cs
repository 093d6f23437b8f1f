using System.Net;
using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;

namespace Sdn.Fabric.Controller.Tests.Northbound;

/// <summary>The northbound API end to end over the real gRPC layer.</summary>
public class ControllerServiceTests
{
    [Fact]
    public async Task Objects_created_through_the_api_can_be_read_back_and_listed()
    {
        await using var host = await ControllerHostFixture.StartAsync();
        var api = host.Api;

        await api.CreateEdgeAsync(new EdgeNode { Name = "e1" });
        await api.CreateTenantAsync(new Tenant { Name = "acme" });
        var network = await api.CreateNetworkAsync(new Network { Name = "web", Tenant = "acme", Ipv4Subnet = "10.0.1.0/24" });
        var port = await api.CreatePortAsync(new Port { Name = "vm1", Network = "web", Edge = "e1" });

        Assert.Equal("10.0.1.1", network.Ipv4Gateway);
        Assert.Equal("10.0.1.2", port.Ipv4);
        Assert.Equal(port, await api.GetPortAsync(new GetRequest { Name = "vm1" }));
        Assert.Equal(["web"], (await api.ListNetworksAsync(new ListRequest())).Items.Select(n => n.Name));
        Assert.Equal(4ul, (await api.GetStateAsync(new GetStateRequest())).Version);
    }

    [Fact]
    public async Task Bad_requests_get_their_status_and_change_nothing()
    {
        await using var host = await ControllerHostFixture.StartAsync();
        var api = host.Api;
        await api.CreateTenantAsync(new Tenant { Name = "acme" });
        await api.CreateNetworkAsync(new Network { Name = "web", Tenant = "acme", Ipv4Subnet = "10.0.1.0/24" });
        var before = await api.GetStateAsync(new GetStateRequest());

        await AssertStatus(StatusCode.InvalidArgument, "did you mean 10.0.2.0/24", api.CreateNetworkAsync(new Network { Name = "db", Tenant = "acme", Ipv4Subnet = "10.0.2.9/24" }));
        await AssertStatus(StatusCode.NotFound, "edge 'e9' does not exist", api.CreatePortAsync(new Port { Name = "p", Network = "web", Edge = "e9" }));
        await AssertStatus(StatusCode.AlreadyExists, "tenant 'acme' already exists", api.CreateTenantAsync(new Tenant { Name = "acme" }));
        await AssertStatus(StatusCode.FailedPrecondition, "still used by network(s) 'web'", api.DeleteTenantAsync(new DeleteRequest { Name = "acme" }));
        await AssertStatus(StatusCode.NotFound, "port 'nope' does not exist", api.TraceAsync(new TraceRequest { Port = "nope" }));
        await AssertStatus(StatusCode.InvalidArgument, "name at least one port", api.Capture(new CaptureRequest()).ReadAll().CountAsync().AsTask());
        await AssertStatus(StatusCode.NotFound, "interface 'e1/none' does not exist", api.Capture(new CaptureRequest { Ports = { "e1/none" } }).ReadAll().CountAsync().AsTask());

        Assert.Equal(before, await api.GetStateAsync(new GetStateRequest()));
    }

    [Fact]
    public async Task Watch_streams_the_existing_state_then_each_change()
    {
        await using var host = await ControllerHostFixture.StartAsync();
        var api = host.Api;
        await api.CreateTenantAsync(new Tenant { Name = "acme" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = api.WatchEvents(new WatchRequest { IncludeExisting = true }, cancellationToken: stop.Token).ReadAll().GetAsyncEnumerator(stop.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal((EventType.Created, "acme", 1ul), (events.Current.Type, events.Current.Tenant.Name, events.Current.Version));

        await api.CreateTenantAsync(new Tenant { Name = "globex" });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((EventType.Created, "globex", 2ul), (events.Current.Type, events.Current.Tenant.Name, events.Current.Version));

        await api.DeleteTenantAsync(new DeleteRequest { Name = "acme" });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((EventType.Deleted, "acme", 3ul), (events.Current.Type, events.Current.Tenant.Name, events.Current.Version));
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_is_ended_with_resource_exhausted_while_the_model_and_other_watchers_go_on()
    {
        const int Limit = 1_000;
        const int Changes = 4_000;
        await using var controller = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null), watchLimit: Limit);
        using var apiChannel = RpcChannels.ForAddress(controller.Address);
        using var stalledChannel = RpcChannels.ForAddress(controller.Address);
        var api = new Contracts.Controller.ControllerClient(apiChannel);
        var stalledClient = new Contracts.Controller.ControllerClient(stalledChannel);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await api.CreateTenantAsync(new Tenant { Name = "acme" });

        // Both watches are in place once each has had its replay of acme.
        await using var stalled = stalledClient.WatchEvents(new WatchRequest { IncludeExisting = true }, cancellationToken: stop.Token).ReadAll().GetAsyncEnumerator(stop.Token);
        await using var reading = api.WatchEvents(new WatchRequest { IncludeExisting = true }, cancellationToken: stop.Token).ReadAll().GetAsyncEnumerator(stop.Token);
        Assert.True(await stalled.MoveNextAsync());
        Assert.True(await reading.MoveNextAsync());
        var seen = Task.Run(async () =>
        {
            var versions = new List<ulong>();
            while (versions.Count < Changes + 1 && await reading.MoveNextAsync())
            {
                versions.Add(reading.Current.Version);
            }

            return versions;
        });

        // Events of about a kilobyte, so that the stalled call's HTTP/2 window and buffers fill early; then its queue.
        // Every change is answered within its deadline: the model never waits for the stalled watcher.
        var description = new string('x', 1_000);
        for (var i = 0; i < Changes / 2; i++)
        {
            await api.CreateTenantAsync(new Tenant { Name = $"t{i}", Description = description }, deadline: DateTime.UtcNow.AddSeconds(5));
            await api.DeleteTenantAsync(new DeleteRequest { Name = $"t{i}" }, deadline: DateTime.UtcNow.AddSeconds(5));
        }

        await api.CreateTenantAsync(new Tenant { Name = "after" }, deadline: DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(Enumerable.Range(2, Changes + 1).Select(v => (ulong)v), await seen.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("after", reading.Current.Tenant.Name);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stalled.MoveNextAsync())
            {
                Assert.NotEqual("after", stalled.Current.Tenant.Name);
            }
        });
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains($"fell more than {Limit} events behind", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("watch again with include_existing", error.Status.Detail, StringComparison.Ordinal);

        // Watching again replays what the model holds now.
        var replay = await stalledClient.WatchEvents(new WatchRequest { IncludeExisting = true }, cancellationToken: stop.Token).ReadAll()
            .Take(2).Select(e => e.Tenant.Name).ToListAsync(stop.Token);
        Assert.Equal(["acme", "after"], replay);
    }

    [Fact]
    public async Task State_survives_a_controller_restart()
    {
        await using var host = await ControllerHostFixture.StartAsync();
        await host.Api.CreateEdgeAsync(new EdgeNode { Name = "e1" });
        await host.Api.CreateCoreNodeAsync(new CoreNode { Name = "c1" });
        await host.Api.CreateLinkAsync(new Link { Name = "l1", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" } });
        await host.Api.SetLinkStateAsync(new SetLinkStateRequest { Name = "l1", AdminDown = true });
        var before = await host.Api.GetStateAsync(new GetStateRequest());

        await host.RestartAsync();

        Assert.Equal(before, await host.Api.GetStateAsync(new GetStateRequest()));
        Assert.True((await host.Api.GetLinkAsync(new GetRequest { Name = "l1" })).AdminDown);
    }

    private static Task AssertStatus<T>(StatusCode status, string message, AsyncUnaryCall<T> call) => AssertStatus(status, message, call.ResponseAsync);

    private static async Task AssertStatus<T>(StatusCode status, string message, Task<T> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }
}
