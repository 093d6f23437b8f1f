using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using V3Electionpb;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Elects one leading controller among those that share an etcd cluster, through etcd's election service: each
/// campaigns with a lease of <see cref="LeaseTtl"/> that it renews every <see cref="KeepAliveInterval"/>, and the
/// value of the winning key is the leader's address, which followers read to name it.
/// </summary>
/// <remarks>
/// A leader steps down as soon as it has gone a lease's TTL without a renewal that etcd acknowledged, counted from
/// when the renewal was sent: etcd expires the lease no sooner than that, so the old leader has stopped before any
/// other controller can win. A leader that dies lets its lease expire after the TTL (etcd's lessor checks every half
/// second), and a campaigning follower takes over then.
/// </remarks>
public sealed class LeaderElection : IAsyncDisposable
{
    /// <summary>etcd's smallest lease, in whole seconds; the clusters must run with an election timeout well under it.</summary>
    public const long LeaseTtlSeconds = 1;

    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(LeaseTtlSeconds);

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly EtcdConnection _etcd;
    private readonly string _address;
    private readonly ILeaderRole _role;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ByteString _name = ByteString.CopyFromUtf8(EtcdKeys.Election);
    private Task? _campaigning;
    private Task? _observing;
    private volatile bool _isLeader;
    private volatile string? _leader;
    private long _lastRenewal;

    /// <param name="address">This controller's address as agents and clients reach it; the leader's is what followers name.</param>
    public LeaderElection(EtcdConnection etcd, string address, ILeaderRole role, Action<string> log)
    {
        _etcd = etcd;
        _address = address;
        _role = role;
        _log = log;
    }

    /// <summary>Whether this controller leads now.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The leading controller's address as last seen; null before one is seen.</summary>
    public string? Leader => _leader;

    public void Start()
    {
        _campaigning ??= Task.Run(CampaignAsync);
        _observing ??= Task.Run(ObserveAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { _campaigning, _observing })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
    }

    private async Task CampaignAsync()
    {
        string? lastFailure = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await TermAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or InvalidDataException or OperationCanceledException)
            {
                if (e.Message != lastFailure)
                {
                    lastFailure = e.Message;
                    _log($"controller: cannot campaign for leader, or lead, on {_etcd.Address} ({e.Message}); trying again");
                }
            }

            await Task.Delay(RetryPause, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One lease: campaign with it, lead while it is renewed, step down when it is not.</summary>
    private async Task TermAsync()
    {
        var granting = Stopwatch.GetTimestamp();
        var lease = await _etcd.Leases.LeaseGrantAsync(new LeaseGrantRequest { TTL = LeaseTtlSeconds }, deadline: DateTime.UtcNow + EtcdConnection.CallTimeout, cancellationToken: _stop.Token).ConfigureAwait(false);
        Volatile.Write(ref _lastRenewal, granting);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var renewing = RenewAsync(lease.ID, held);
        try
        {
            var won = await _etcd.Elections.CampaignAsync(new CampaignRequest { Name = _name, Lease = lease.ID, Value = ByteString.CopyFromUtf8(_address) }, cancellationToken: held.Token).ConfigureAwait(false);
            _isLeader = true;
            _leader = _address;
            _log($"controller: elected leader (lease {lease.ID:x})");
            await _role.LeadAsync(won.Leader).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, held.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            if (_isLeader)
            {
                _isLeader = false;
                _log(_stop.IsCancellationRequested ? "controller: stepping down, stopping" : "controller: stepping down: the leader's lease was not renewed in time");
                await _role.StepDownAsync().ConfigureAwait(false);
            }

            await held.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await RevokeAsync(lease.ID).ConfigureAwait(false);
        }
    }

    /// <summary>Renews the lease until <paramref name="held"/> ends, and ends it once a TTL went by without a renewal.</summary>
    private async Task RenewAsync(long lease, CancellationTokenSource held)
    {
        var watchdog = WatchRenewalsAsync(held);
        while (!held.IsCancellationRequested)
        {
            try
            {
                using var call = _etcd.Leases.LeaseKeepAlive(cancellationToken: held.Token);
                while (true)
                {
                    var sent = Stopwatch.GetTimestamp();
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }).ConfigureAwait(false);
                    if (!await call.ResponseStream.MoveNext(held.Token).ConfigureAwait(false))
                    {
                        break;
                    }

                    if (call.ResponseStream.Current.TTL <= 0)
                    {
                        await held.CancelAsync().ConfigureAwait(false);
                        break;
                    }

                    Volatile.Write(ref _lastRenewal, sent);
                    await Task.Delay(KeepAliveInterval, held.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                // A member went away mid-stream: open another while the watchdog counts.
            }

            await Task.Delay(RetryPause / 2, held.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await watchdog.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WatchRenewalsAsync(CancellationTokenSource held)
    {
        while (!held.IsCancellationRequested)
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRenewal)) >= LeaseTtl)
            {
                await held.CancelAsync().ConfigureAwait(false);
                return;
            }

            await Task.Delay(KeepAliveInterval / 4, held.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Gives the lease back, so that when this controller stops another takes over at once; it expires anyway.</summary>
    private async Task RevokeAsync(long lease)
    {
        try
        {
            await _etcd.Leases.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: DateTime.UtcNow + TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // The cluster is away; the lease expires on its own.
        }
    }

    private async Task ObserveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var call = _etcd.Elections.Observe(new LeaderRequest { Name = _name }, cancellationToken: _stop.Token);
                await foreach (var leader in call.ResponseStream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    _leader = leader.Kv.Value.ToStringUtf8();
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                // No election to observe yet, or the member went away: look again shortly.
            }

            await Task.Delay(RetryPause, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
