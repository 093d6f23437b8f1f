using System.Text.RegularExpressions;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// `sdn status`, `flows`, `trace`, `ping` and `capture` given the three controllers of a <see cref="ReplicatedFabric"/> with the
/// followers first: a follower refuses the calls that need the node agents, naming the leader, and the CLI runs them
/// there, so they show the nodes connected and the leader's real flows; after the leader is killed, the same
/// commands reach the new leader.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class LeaderFollowingCliTests : IAsyncLifetime
{
    private ReplicatedFabric _fabric = null!;

    public async Task InitializeAsync() => _fabric = await ReplicatedFabric.StartAsync();

    public Task DisposeAsync()
    {
        _fabric.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Node_facing_commands_given_followers_first_are_answered_by_the_leader_and_then_by_the_next_one()
    {
        var controllers = _fabric.Controllers;
        await _fabric.UntilConvergedAsync(TimeSpan.FromSeconds(60));
        var leader = await controllers.LeaderAsync(TimeSpan.FromSeconds(10));
        var followers = controllers.Controllers.Where(c => c != leader).ToList();
        var followersFirst = string.Join(',', followers.Append(leader).Select(c => c.Address));

        var refused = await Assert.ThrowsAsync<RpcException>(() => controllers.Client(followers[0]).GetFlowsAsync(new GetFlowsRequest { Edge = "e1" }).ResponseAsync);
        var leaderAddress = leader.Address.ToString().TrimEnd('/');
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal(leaderAddress, refused.Trailers.GetValue(ControllerAddresses.LeaderTrailer));
        Assert.Equal($"this controller follows; a flow dump needs the node agents, which are in session with the leader, at {leaderAddress}", refused.Status.Detail);
        await AnsweredByTheLeaderAsync(followersFirst, leader);

        leader.Kill();
        // Right after the kill only followers and a dead controller answer: the CLI waits out the election.
        var (exit, output) = await SdnCli.InvokeAsync(leader.Address, "status", "--controller", followersFirst);
        Assert.True(exit == 0, output);
        await _fabric.UntilConvergedAsync(TimeSpan.FromSeconds(20));
        await AnsweredByTheLeaderAsync(followersFirst, await controllers.LeaderAsync(TimeSpan.FromSeconds(5), not: leader));
    }

    private async Task AnsweredByTheLeaderAsync(string followersFirst, ControllerProcess leader)
    {
        var status = await SdnCli.InvokeAsync(leader.Address, "status", "--controller", followersFirst);
        var flows = await SdnCli.InvokeAsync(leader.Address, "flows", "e1", "--table", "0", "--controller", followersFirst);
        var trace = await SdnCli.InvokeAsync(leader.Address, "trace", "h1", "--packet", "icmp,nw_dst=10.1.0.102", "--controller", followersFirst);
        var capturing = SdnCli.InvokeAsync(leader.Address, "capture", "h1", "--filter", "icmp", "-c", "2", "--duration", "10", "--controller", followersFirst);
        // The capture is set up on e1 by the time the echoes of the second half come.
        await Task.Delay(1000);
        var ping = await SdnCli.InvokeAsync(leader.Address, "ping", "h1", "h2", "-c", "8", "-i", "0.25", "-W", "1", "--controller", followersFirst);
        var capture = await capturing;

        var context = $"\n{leader.Output}\n---\n{_fabric.NodesOutput}";
        Assert.True(status.Exit == 0, status.Output + context);
        Assert.All(ReplicatedFabric.Nodes, node => Assert.Matches(new Regex($@"\n{node} +(edge|core) +connected +[1-9]", RegexOptions.Multiline), status.Output));
        Assert.True(flows.Exit == 0, flows.Output + context);
        Assert.Matches(@",in_port=h1 actions=write_metadata:0x[0-9a-f]+/0xffffffffffffffff,goto_table:1\n", flows.Output);
        Assert.True(trace.Exit == 0, trace.Output + context);
        Assert.Matches(@"\nverdict: output e1--c1 labels \[\d+, \d+\]\n", trace.Output);
        Assert.True(ping.Exit == 0, ping.Output + context);
        Assert.Contains("8 packets transmitted, 8 received, 0% packet loss", ping.Output, StringComparison.Ordinal);
        Assert.True(capture.Exit == 0, capture.Output + context);
        Assert.Contains("2 packets captured, 0 dropped", capture.Output, StringComparison.Ordinal);
    }
}
