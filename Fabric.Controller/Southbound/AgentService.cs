using Grpc.Core;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Access;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>The southbound sdn.v1.Agent service: each node agent's Connect stream, served by the <see cref="AgentHub"/>.</summary>
public sealed class AgentService : Agent.AgentBase
{
    private readonly AgentHub _hub;
    private readonly Func<RpcException?>? _refusal;

    /// <param name="refusal">Says why this controller takes no agent session now (it is a follower), or null when it takes them; always takes them when null.</param>
    public AgentService(AgentHub hub, Func<RpcException?>? refusal = null)
    {
        this._hub = hub;
        this._refusal = refusal;
    }

    public override Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_refusal?.Invoke() is { } refused)
        {
            throw refused;
        }

        return _hub.ConnectAsync(requestStream, responseStream, AgentCredential.NodeOf(context), context.CancellationToken);
    }
}
