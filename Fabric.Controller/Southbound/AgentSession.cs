using System.Threading.Channels;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// One connected node agent: what it was last sent, which version it has applied, its latest
/// counters, and the queue of batches and requests on their way to it. The hub calls <see cref="Send"/> and
/// <see cref="Resync"/> under its lock, so versions leave in order.
/// </summary>
public sealed class AgentSession : IDisposable
{
    /// <summary>How long full state waits before it goes again to a node that refused it; doubled for each refusal in a row.</summary>
    public static readonly TimeSpan FirstResyncDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxResyncDelay = TimeSpan.FromSeconds(30);

    private readonly Channel<ControllerMessage> _outbox = Channel.CreateUnbounded<ControllerMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _replaced = new();
    private readonly RetryBackoff _resync = new(FirstResyncDelay, MaxResyncDelay);
    private NodeProgram? _sent;
    private ulong _fullStateVersion;
    private ulong _firstVersion;

    public AgentSession(string node, ulong appliedVersion, ulong lastVersion)
    {
        Node = node;
        AppliedVersion = appliedVersion;
        LastVersion = Math.Max(appliedVersion, lastVersion);
    }

    public string Node { get; }

    public ulong AppliedVersion { get; private set; }

    /// <summary>The version of the last batch queued for this node.</summary>
    public ulong LastVersion { get; private set; }

    public CounterReport Counters { get; private set; } = new();

    /// <summary>What the node was sent and told of each of its ports in this session.</summary>
    public PortLedger Ports { get; } = new();

    /// <summary>Fires when a newer session of the same node takes over.</summary>
    public CancellationToken Replaced => _replaced.Token;

    /// <summary>True when the node refused a batch and nothing was queued for it since: the next batch goes whole.</summary>
    public bool AwaitsFullState => _sent is null;

    /// <summary>
    /// Queues what turns the node's last program into <paramref name="program"/>: the whole program
    /// the first time, then only differences. Sends nothing when nothing differs.
    /// </summary>
    public void Send(NodeProgram program)
    {
        var batch = _sent is null
            ? program.FullState(LastVersion + 1)
            : NodeProgram.Diff(_sent, program, LastVersion, LastVersion + 1);
        if (!batch.FullState && batch.Tables.Count + batch.PortMods.Count + batch.GroupMods.Count + batch.FlowMods.Count + batch.LfibMods.Count == 0)
        {
            return;
        }

        if (batch.FullState)
        {
            batch.BaseVersion = AppliedVersion;
            _fullStateVersion = batch.Version;
        }

        _sent = program;
        LastVersion = batch.Version;
        if (_firstVersion == 0)
        {
            _firstVersion = batch.Version;
        }

        Ports.Sent(program, batch.Version);
        _outbox.Writer.TryWrite(new ControllerMessage { Batch = batch });
    }

    /// <summary>Forgets what the node holds and sends <paramref name="program"/> whole.</summary>
    public void Resync(NodeProgram program)
    {
        _sent = null;
        Send(program);
    }

    /// <summary>
    /// Takes the node's refusal of batch <paramref name="version"/>; the next batch goes whole. Returns null when it
    /// should go now (after a refused diff), or how long to wait first (after a refused full state, which sent again
    /// at once would only be refused again at once).
    /// </summary>
    public TimeSpan? Refused(ulong version)
    {
        _sent = null;
        return version == _fullStateVersion ? _resync.Next() : null;
    }

    /// <summary>Takes one agent message: an ack of one of this session's batches, a counter report, a port or link status.</summary>
    public AgentReceipt Receive(AgentMessage message)
    {
        switch (message.KindCase)
        {
            case AgentMessage.KindOneofCase.BatchAck when message.BatchAck.Version < _firstVersion || message.BatchAck.Version > LastVersion:
                // Left over from an earlier session, perhaps of a controller that restarted: it speaks of other batches.
                return AgentReceipt.Stale;
            case AgentMessage.KindOneofCase.BatchAck when message.BatchAck.Status == (int)StatusCode.OK:
                AppliedVersion = message.BatchAck.Version;
                _resync.Reset();
                return AgentReceipt.Applied;
            case AgentMessage.KindOneofCase.BatchAck:
                return AgentReceipt.Refused;
            case AgentMessage.KindOneofCase.Counters:
                Counters = message.Counters;
                break;
            case AgentMessage.KindOneofCase.PortStatus:
                Ports.Realized(message.PortStatus);
                break;
            case AgentMessage.KindOneofCase.LinkStatus:
                Ports.Liveness(message.LinkStatus.Interface, message.LinkStatus.Up);
                break;
            case AgentMessage.KindOneofCase.Hello:
                throw new RpcException(new Status(StatusCode.InvalidArgument, "hello may only be the first message of Agent.Connect"));
        }

        return AgentReceipt.Taken;
    }

    /// <summary>Queues a request (a trace, a capture) behind the batches already queued.</summary>
    public void Ask(ControllerMessage request) => _outbox.Writer.TryWrite(request);

    /// <summary>
    /// Writes queued messages to the agent until the session stops. A write in progress is not cut off: cancelling it
    /// would reset the stream, and the agent would not learn why its session ended.
    /// </summary>
    public async Task PumpAsync(IServerStreamWriter<ControllerMessage> agent, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await agent.WriteAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public void Stop() => _outbox.Writer.TryComplete();

    public void Replace()
    {
        Stop();
        _replaced.Cancel();
    }

    public void Dispose() => _replaced.Dispose();
}
