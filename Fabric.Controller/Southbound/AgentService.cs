using Grpc.Core;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Access;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>The southbound sdn.v1.Agent service: each node agent's Connect stream, served by the <see cref="AgentHub"/>.</summary>
public sealed class AgentService : Agent.AgentBase
{
    private readonly AgentHub _hub;

    public AgentService(AgentHub hub)
    {
        this._hub = hub;
    }

    public override Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _hub.ConnectAsync(requestStream, responseStream, AgentCredential.NodeOf(context), context.CancellationToken);
    }
}
