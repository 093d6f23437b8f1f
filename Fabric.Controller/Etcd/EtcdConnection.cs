using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using V3Electionpb;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// The controller's connection to an etcd cluster: the generated clients of dotnet-etcd over one channel that
/// spreads calls over the members, and the rule for a call that fails. A call that finds no member (one member's
/// connection refused) is tried again on another until its deadline; one that runs out of time, as every write does
/// while a majority of the members is lost, becomes UNAVAILABLE with a message that says the store lost quorum.
/// </summary>
public sealed class EtcdConnection : IDisposable
{
    /// <summary>
    /// How long one call may take. A write that a majority of the members cannot commit by then fails. Long enough
    /// for the members left to elect a new etcd leader when one is lost, on a loaded machine too.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt of a call may take before it is made again.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    private readonly EtcdClient _client;

    public EtcdConnection(EtcdAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        _client = new EtcdClient(address.ConnectionString);
        var connection = _client.GetConnection();
        Kv = connection.KVClient;
        Watches = connection.WatchClient;
        Leases = connection.LeaseClient;
        Elections = connection.ElectionClient;
    }

    public EtcdAddress Address { get; }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watches { get; }

    public Lease.LeaseClient Leases { get; }

    public Election.ElectionClient Elections { get; }

    /// <summary>Runs one transaction, synchronously, as the model's store must.</summary>
    /// <param name="doing">What the transaction does, for the error: "save port 'p1'".</param>
    /// <exception cref="RpcException">UNAVAILABLE: no quorum of members answered in <see cref="CallTimeout"/>.</exception>
    public TxnResponse Transact(TxnRequest request, string doing) => Transact(request, doing, out _);

    /// <summary>
    /// Runs one transaction, synchronously, trying again within <see cref="CallTimeout"/> when a member cannot be
    /// reached or an attempt gets no answer in <see cref="AttemptTimeout"/>: a write forwarded to an etcd leader that
    /// has just died is lost without one, and only a new attempt reaches the leader the others elect.
    /// </summary>
    /// <param name="doing">What the transaction does, for the error: "save port 'p1'".</param>
    /// <param name="unanswered">Whether an earlier attempt got no answer: it may have been committed all the same.</param>
    /// <exception cref="RpcException">UNAVAILABLE: no quorum of members answered in <see cref="CallTimeout"/>.</exception>
    public TxnResponse Transact(TxnRequest request, string doing, out bool unanswered)
    {
        var deadline = DateTime.UtcNow + CallTimeout;
        unanswered = false;
        while (true)
        {
            var attemptDeadline = DateTime.UtcNow + AttemptTimeout;
            try
            {
                return Kv.Txn(request, deadline: attemptDeadline < deadline ? attemptDeadline : deadline);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow + RetryPause < deadline)
            {
                unanswered |= e.StatusCode == StatusCode.DeadlineExceeded;
                Thread.Sleep(RetryPause);
            }
            catch (OperationCanceledException) when (DateTime.UtcNow + RetryPause < deadline)
            {
                // dotnet-etcd's channel reports a deadline as a cancellation.
                unanswered = true;
                Thread.Sleep(RetryPause);
            }
            catch (RpcException e)
            {
                throw LostQuorum(doing, $"{e.StatusCode}: {e.Status.Detail}", e);
            }
            catch (OperationCanceledException e)
            {
                throw LostQuorum(doing, $"no answer in {CallTimeout.TotalSeconds:F0} s", e);
            }
        }
    }

    /// <summary>The one error of a store that cannot commit: UNAVAILABLE, and what the operator can do.</summary>
    public RpcException LostQuorum(string doing, string why, Exception cause)
    {
        return new RpcException(new Status(
            StatusCode.Unavailable,
            $"cannot {doing}: the state store {Address} has lost quorum or cannot be reached ({why}); "
            + "nothing was changed. Reads and forwarding go on; writes resume once a majority of the etcd members is back",
            cause));
    }

    public void Dispose() => _client.Dispose();
}
