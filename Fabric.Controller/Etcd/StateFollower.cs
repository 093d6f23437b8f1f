using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Keeps a model current with what other controllers write: an etcd watch on the object keys from the revision
/// after the model's version, each event handed to <see cref="FabricModel.Follow"/> in revision order, so watchers
/// of this controller see the same events as those of the one that took the change. A broken watch is opened again
/// from where the model is, so no change is missed or taken twice. When etcd has compacted those changes away (a
/// controller cut off for longer than etcd keeps its history), the whole state is loaded and what differs is taken
/// in at once.
/// </summary>
public sealed class StateFollower : IAsyncDisposable
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly EtcdConnection _etcd;
    private readonly EtcdStateStore _store;
    private readonly FabricModel _model;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public StateFollower(EtcdConnection etcd, FabricModel model, Action<string> log)
    {
        _etcd = etcd;
        _store = new EtcdStateStore(etcd);
        _model = model;
        _log = log;
        _running = Task.Run(RunAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        string? lastFailure = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await WatchAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or InvalidDataException or IOException)
            {
                if (e.Message != lastFailure)
                {
                    lastFailure = e.Message;
                    _log($"controller: the watch on {_etcd.Address} broke ({e.Message}); reads serve version {_model.Version} until it is back");
                }
            }

            await Task.Delay(RetryPause, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WatchAsync()
    {
        using var call = _etcd.Watches.Watch(cancellationToken: _stop.Token);
        await call.RequestStream.WriteAsync(new Etcdserverpb.WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = ByteString.CopyFromUtf8(EtcdKeys.Objects),
                RangeEnd = ByteString.CopyFromUtf8(EtcdKeys.RangeEnd(EtcdKeys.Objects)),
                StartRevision = (long)_model.Version + 1,
                PrevKv = true,
            },
        }).ConfigureAwait(false);
        await foreach (var response in call.ResponseStream.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            if (response.CompactRevision > 0)
            {
                Reload(response.CompactRevision);
                return;
            }

            if (response.Canceled)
            {
                throw new IOException($"etcd cancelled the watch: {response.CancelReason}");
            }

            foreach (var change in response.Events)
            {
                Take(change);
            }
        }
    }

    /// <summary>Catches up with the whole state when the changes since the model's version are compacted away.</summary>
    private void Reload(long compactedTo)
    {
        var had = _model.Version;
        var changed = _model.Resync(_store.Load());
        _log($"controller: etcd compacted its history to revision {compactedTo}, past version {had} of this controller; loaded the state afresh at version {_model.Version} ({changed} objects changed)");
    }

    private void Take(Mvccpb.Event change)
    {
        var key = change.Kv.Key.ToStringUtf8();
        if (StoredKinds.Parse(key) is not var (kind, _))
        {
            return;
        }

        var version = (ulong)change.Kv.ModRevision;
        if (change.Type == Mvccpb.Event.Types.EventType.Delete)
        {
            var gone = change.PrevKv is { } previous ? kind.Decode(key, previous.Value) : null;
            if (gone is not null)
            {
                _model.Follow(version, EventType.Deleted, gone);
            }

            return;
        }

        var item = kind.Decode(key, change.Kv.Value);
        _model.Follow(version, change.Kv.Version == 1 ? EventType.Created : EventType.Updated, item);
    }
}
