using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>The node side of Agent.Connect, as far as these tests need it: hello, read batches, ack.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private readonly RpcDuplexCall<AgentMessage, ControllerMessage> call;

    private TestAgent(RpcDuplexCall<AgentMessage, ControllerMessage> call)
    {
        this.call = call;
    }

    public static async Task<TestAgent> ConnectAsync(RpcChannel channel, string node, NodeRole role, ulong appliedVersion = 0)
    {
        var call = channel.Duplex(AgentMethods.Connect, DateTime.UtcNow.AddSeconds(30));
        await call.WriteAsync(new AgentMessage { Hello = new Hello { NodeName = node, Role = role, AppliedVersion = appliedVersion } });
        return new TestAgent(call);
    }

    public async Task<ControllerMessage> NextAsync() =>
        await call.ReadAsync() ?? throw new InvalidOperationException("the controller ended the stream");

    public async Task<ProgramBatch> NextBatchAsync() => (await NextAsync()).Batch;

    /// <summary>The next message that is not a batch: the controller may still be publishing its first compile.</summary>
    public async Task<ControllerMessage> NextRequestAsync()
    {
        var message = await NextAsync();
        while (message.KindCase == ControllerMessage.KindOneofCase.Batch)
        {
            message = await NextAsync();
        }

        return message;
    }

    /// <summary>Reads until the stream ends; returns the status it ended with.</summary>
    public async Task<RpcException> EndAsync()
    {
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ReadAsync() is not null)
            {
            }
        });
    }

    public Task SendAsync(AgentMessage message) => call.WriteAsync(message);

    public Task AckAsync(ulong version, StatusCode status = StatusCode.OK) =>
        call.WriteAsync(new AgentMessage { BatchAck = new BatchAck { Version = version, Status = (int)status } });

    public ValueTask DisposeAsync() => call.DisposeAsync();
}
