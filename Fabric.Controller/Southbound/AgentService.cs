using Grpc.Core;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Access;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>The southbound sdn.v1.Agent service: each node agent's Connect stream, served by the <see cref="AgentHub"/>.</summary>
public sealed class AgentService : Agent.AgentBase
{
    private readonly AgentHub _hub;
    private readonly Func<CancellationToken>? _admit;

    /// <param name="admit">
    /// For a controller that programs nodes only while it leads: returns a token that is cancelled when its term ends,
    /// which ends the sessions of that term, or throws the <see cref="RpcException"/> that refuses the agent (naming
    /// the leader) while it follows. A lone controller (null) takes every session.
    /// </param>
    public AgentService(AgentHub hub, Func<CancellationToken>? admit = null)
    {
        this._hub = hub;
        this._admit = admit;
    }

    public override Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _admit is null
            ? _hub.ConnectAsync(requestStream, responseStream, AgentCredential.NodeOf(context), context.CancellationToken)
            : ConnectInTermAsync(requestStream, responseStream, context, _admit());
    }

    private async Task ConnectInTermAsync(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context, CancellationToken term)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, term);
        try
        {
            await _hub.ConnectAsync(requestStream, responseStream, AgentCredential.NodeOf(context), session.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "this controller stopped leading; the agent goes on to the new leader"));
        }
    }
}
