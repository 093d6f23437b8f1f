using Etcdserverpb;
using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Keeps the desired state in etcd, one key per object (<see cref="EtcdKeys"/>). Each accepted change is one
/// transaction: if the version key was last written at the change's basis, put or delete the object's key and
/// rewrite the version key. The transaction's revision is the state's new version. A controller whose model is
/// behind (another controller wrote since) fails the comparison and changes nothing (<see cref="StaleStateException"/>),
/// so a change is always validated against the state it is applied to, whichever controller takes it, and a
/// controller cut off from the cluster cannot write at all.
/// </summary>
public sealed class EtcdStateStore : IStateStore
{
    private readonly EtcdConnection _etcd;

    public EtcdStateStore(EtcdConnection etcd) => this._etcd = etcd;

    /// <summary>Every object and the version, read in one transaction so they belong together.</summary>
    /// <exception cref="InvalidDataException">A key under objects/ does not hold its kind of object.</exception>
    /// <exception cref="Grpc.Core.RpcException">UNAVAILABLE: the cluster cannot answer.</exception>
    public FabricState Load()
    {
        var request = new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8(EtcdKeys.Version) } },
                new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8(EtcdKeys.Objects), RangeEnd = ByteString.CopyFromUtf8(EtcdKeys.RangeEnd(EtcdKeys.Objects)) } },
            },
        };
        var response = _etcd.Transact(request, "load the state");
        var state = ModelState.Empty;
        var objects = response.Responses[1].ResponseRange.Kvs
            .Select(kv => (Key: kv.Key.ToStringUtf8(), kv.Value, kv.CreateRevision))
            .Select(kv => (kv.Key, kv.Value, kv.CreateRevision, Stored: StoredKinds.Parse(kv.Key)))
            .Where(kv => kv.Stored is not null)
            .ToList();
        foreach (var kind in StoredKinds.All)
        {
            foreach (var (key, value, _, _) in objects.Where(o => o.Stored!.Value.Kind == kind).OrderBy(o => o.CreateRevision))
            {
                state = state.Put(kind.Decode(key, value).Message);
            }
        }

        return state.AtVersion(response.Responses[0].ResponseRange.Kvs is [var version] ? (ulong)version.ModRevision : 0).ToState();
    }

    /// <exception cref="StaleStateException">Another controller changed the state since <see cref="StateChange.Basis"/>.</exception>
    /// <exception cref="Grpc.Core.RpcException">UNAVAILABLE: the cluster has lost quorum or cannot be reached.</exception>
    public ulong Save(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var kind = StoredKinds.Of(change.Changed);
        var key = ByteString.CopyFromUtf8(StoredKinds.KeyOf(change.Changed));
        var write = change.Type == EventType.Deleted
            ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } }
            : new RequestOp { RequestPut = new PutRequest { Key = key, Value = kind.Encode(change.Changed) } };
        var version = ByteString.CopyFromUtf8(EtcdKeys.Version);

        // The version key names the change that made it, uniquely, so that a write whose answer was lost can tell
        // whether it was committed after all.
        var signature = ByteString.CopyFromUtf8($"{key.ToStringUtf8()} {Guid.NewGuid():N}");
        var request = new TxnRequest
        {
            Compare = { new Compare { Key = version, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = (long)change.Basis } },
            Success = { write, new RequestOp { RequestPut = new PutRequest { Key = version, Value = signature } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = version } } },
        };
        var response = _etcd.Transact(request, $"save {change.Changed}", out var unanswered);
        if (response.Succeeded)
        {
            return (ulong)response.Header.Revision;
        }

        var last = response.Responses[0].ResponseRange.Kvs is [var stored] ? stored : null;
        if (unanswered && last is not null && last.Value == signature)
        {
            return (ulong)last.ModRevision;
        }

        throw new StaleStateException(change.Basis, last is null ? 0 : (ulong)last.ModRevision);
    }
}
