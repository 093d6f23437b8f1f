using System.Threading.Channels;
using Grpc.Core;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// A request that runs on one or more agents under one id until the caller ends it (a capture, a mirror, a
/// ping): what the agents report under that id, each with its node, in arrival order. Disposing it tells the
/// agents to stop.
/// </summary>
/// <remarks>
/// Reports the caller is too slow for are dropped and counted (<see cref="Lost"/>) rather than queued without
/// bound, since they arrive on the agents' streams, which must never wait for a northbound client.
/// </remarks>
public sealed class AgentRequest : IDisposable
{
    private const int Backlog = 4096;

    private readonly Channel<NodeReport> _reports = Channel.CreateBounded<NodeReport>(new BoundedChannelOptions(Backlog) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Action<AgentRequest> _end;
    private long _lost;

    public AgentRequest(ulong id, IReadOnlyList<AgentSession> sessions, Action<AgentRequest> end)
    {
        Id = id;
        Sessions = sessions;
        this._end = end;
    }

    public ulong Id { get; }

    public IReadOnlyList<AgentSession> Sessions { get; }

    /// <summary>Reports dropped because the caller fell behind.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    public IAsyncEnumerable<NodeReport> ReadAllAsync(CancellationToken cancellationToken) => _reports.Reader.ReadAllAsync(cancellationToken);

    public void Deliver(string node, AgentMessage message)
    {
        if (!_reports.Writer.TryWrite(new NodeReport(node, message)))
        {
            Interlocked.Increment(ref _lost);
        }
    }

    /// <summary>Throws the agent's refusal when <paramref name="message"/> is one.</summary>
    public static void ThrowIfFailed(AgentMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.RequestFailed is { } failed)
        {
            throw new RpcException(new Status((StatusCode)failed.Status, failed.Message));
        }
    }

    /// <summary>Ends the reports with <paramref name="error"/>, as when an agent goes away.</summary>
    public void Fail(Exception error) => _reports.Writer.TryComplete(error);

    public void Dispose() => _end(this);
}
