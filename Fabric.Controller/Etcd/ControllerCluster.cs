using Grpc.Core;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;
using V3Electionpb;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// One controller among several that share an etcd cluster. Every one keeps the desired state in etcd
/// (<see cref="Store"/>), follows what the others write (<see cref="StateFollower"/>), and serves reads, watches and
/// writes: a write is validated against this controller's model and committed only if etcd is still at that model's
/// version, so any controller may take it. The elected leader (<see cref="LeaderElection"/>) alone compiles and
/// programs the nodes, with the numbers kept in etcd; followers refuse agent sessions and the calls that need
/// the agents, naming the leader.
/// </summary>
public sealed class ControllerCluster : ILeaderRole, IAsyncDisposable
{
    private readonly EtcdConnection _etcd;
    private readonly Action<string> _log;
    private FabricModel? _model;
    private AgentHub? _hub;
    private StateFollower? _follower;
    private LeaderElection? _election;
    private FabricProgrammer? _programmer;
    private CancellationTokenSource? _term;

    /// <param name="log">Takes a line for each change of role and each fault of the store; standard error by default.</param>
    public ControllerCluster(EtcdAddress address, Action<string>? log = null)
    {
        _etcd = new EtcdConnection(address);
        _log = log ?? Console.Error.WriteLine;
        Store = new EtcdStateStore(_etcd);
    }

    /// <summary>The model's store: give it to the <see cref="FabricModel"/> before <see cref="Start"/>.</summary>
    public IStateStore Store { get; }

    public EtcdAddress Address => _etcd.Address;

    /// <summary>Whether this controller leads and programs the nodes now.</summary>
    public bool IsLeader => _election?.IsLeader == true && Volatile.Read(ref _programmer) is not null;

    /// <summary>The leading controller's address as last seen; null before one is seen.</summary>
    public string? Leader => _election?.Leader;

    /// <summary>What compiles and programs the nodes while this controller leads; null while it follows.</summary>
    public FabricProgrammer? Programmer => Volatile.Read(ref _programmer);

    /// <summary>Raised after each compile of this controller's terms as leader, as <see cref="FabricProgrammer.Recompiled"/>.</summary>
    public event EventHandler<TimeSpan>? Recompiled;

    /// <summary>Starts following the store and campaigning, as <paramref name="address"/>: where agents and clients reach this controller.</summary>
    public void Start(FabricModel model, AgentHub hub, string address)
    {
        _model = model;
        _hub = hub;
        _follower = new StateFollower(_etcd, model, _log);
        _election = new LeaderElection(_etcd, address, this, _log);
        _election.Start();
    }

    /// <summary>The token of this controller's term as leader, cancelled when the term ends, for an agent's session.</summary>
    /// <exception cref="RpcException">UNAVAILABLE naming the leader (also in the <see cref="ControllerAddresses.LeaderTrailer"/> trailer, empty while one is elected): this controller follows.</exception>
    public CancellationToken AdmitAgent()
    {
        if (IsLeader && Volatile.Read(ref _term) is { } term)
        {
            try
            {
                return term.Token;
            }
            catch (ObjectDisposedException)
            {
                // The term ended meanwhile.
            }
        }

        throw Refusal("agents connect to the leader");
    }

    /// <summary>Refuses a call that needs the node agents (a trace, a flow dump, stats) unless this controller leads.</summary>
    /// <param name="call">What the call does, for the refusal's message, such as "a trace".</param>
    /// <exception cref="RpcException">UNAVAILABLE naming the leader (also in the <see cref="ControllerAddresses.LeaderTrailer"/> trailer, empty while one is elected): this controller follows.</exception>
    public void RequireLeader(string call)
    {
        if (!IsLeader)
        {
            throw Refusal($"{call} needs the node agents, which are in session with the leader");
        }
    }

    private RpcException Refusal(string why)
    {
        var leader = Leader;
        var trailers = new Metadata { { ControllerAddresses.LeaderTrailer, leader ?? string.Empty } };
        return new RpcException(
            new Status(StatusCode.Unavailable, $"this controller follows; {why}, {(leader is null ? "which is being elected" : $"at {leader}")}"),
            trailers);
    }

    public Task LeadAsync(LeaderKey term)
    {
        var programmer = new FabricProgrammer(_model!, _hub!, new EtcdNumbering(_etcd, term, _log));
        programmer.Recompiled += (_, took) => Recompiled?.Invoke(this, took);
        Volatile.Write(ref _term, new CancellationTokenSource());
        Volatile.Write(ref _programmer, programmer);
        return Task.CompletedTask;
    }

    public async Task StepDownAsync()
    {
        var programmer = Interlocked.Exchange(ref _programmer, null);
        if (Interlocked.Exchange(ref _term, null) is { } term)
        {
            // Ends every agent session of the term, those still between admission and hello too.
            await term.CancelAsync().ConfigureAwait(false);
            term.Dispose();
        }

        if (programmer is not null)
        {
            await programmer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_election is not null)
        {
            await _election.DisposeAsync().ConfigureAwait(false);
        }

        if (_follower is not null)
        {
            await _follower.DisposeAsync().ConfigureAwait(false);
        }

        _etcd.Dispose();
    }
}
