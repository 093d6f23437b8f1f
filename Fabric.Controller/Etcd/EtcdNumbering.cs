using System.Text.Json;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Sdn.Fabric.Controller.Compiler;
using V3Electionpb;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// The compiler's numbers in etcd, one key per scope under numbering/, so that a controller that becomes the leader
/// compiles every node's program with the labels the one before it chose. Only the leader of <paramref name="term"/>
/// writes them: each save compares the term's election key, so a deposed leader's save changes nothing. A save that
/// cannot be made is logged and not retried; the next compile that changes numbers saves them all again.
/// </summary>
public sealed class EtcdNumbering(EtcdConnection etcd, LeaderKey term, Action<string> log) : INumberingStore
{
    private readonly Dictionary<string, StableNumbering> _saved = new(StringComparer.Ordinal);

    /// <summary>Whether <see cref="_saved"/> is what etcd holds, so that only the scopes a caller names can differ.</summary>
    private bool _inSync = true;

    /// <exception cref="InvalidDataException">A key under numbering/ holds no numbering.</exception>
    /// <exception cref="RpcException">UNAVAILABLE: the cluster cannot answer.</exception>
    public IReadOnlyDictionary<string, StableNumbering> Load()
    {
        ArgumentNullException.ThrowIfNull(etcd);
        var response = etcd.Transact(
            new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8(EtcdKeys.Numbering), RangeEnd = ByteString.CopyFromUtf8(EtcdKeys.RangeEnd(EtcdKeys.Numbering)) } } } },
            "load the compiler's numbers");
        _saved.Clear();
        foreach (var kv in response.Responses[0].ResponseRange.Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            try
            {
                _saved[key[EtcdKeys.Numbering.Length..]] = StableNumbering.Of(JsonSerializer.Deserialize<Dictionary<string, uint>>(kv.Value.Span) ?? []);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"etcd key {key} is not a saved numbering ({e.Message}); delete it, and the controller numbers that scope afresh", e);
            }
        }

        return new Dictionary<string, StableNumbering>(_saved, StringComparer.Ordinal);
    }

    /// <remarks>
    /// What differs is taken against what this leader last saved, which <paramref name="before"/> may not be; after a
    /// save that failed, against every scope, whatever <paramref name="scopes"/> says.
    /// </remarks>
    public void Save(IReadOnlyDictionary<string, StableNumbering>? before, IReadOnlyDictionary<string, StableNumbering> after, IReadOnlyCollection<string>? scopes)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(term);
        var request = new TxnRequest
        {
            Compare = { new Compare { Key = term.Key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = term.Rev } },
        };
        var changes = StableNumbering.Changes(_saved, after, _inSync ? scopes : null).ToList();
        foreach (var (scope, numbers) in changes)
        {
            request.Success.Add(numbers is null
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(EtcdKeys.Numbering + scope) } }
                : new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(EtcdKeys.Numbering + scope), Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(numbers.Numbers)) } });
        }

        if (request.Success.Count == 0)
        {
            return;
        }

        _inSync = false;
        try
        {
            if (!etcd!.Transact(request, "save the compiler's numbers").Succeeded)
            {
                log("controller: the compiler's numbers were not saved: this controller is no longer the leader");
                return;
            }
        }
        catch (RpcException e)
        {
            log($"controller: {e.Status.Detail}");
            return;
        }

        foreach (var (scope, numbers) in changes)
        {
            if (numbers is null)
            {
                _saved.Remove(scope);
            }
            else
            {
                _saved[scope] = numbers;
            }
        }

        _inSync = true;
    }
}
