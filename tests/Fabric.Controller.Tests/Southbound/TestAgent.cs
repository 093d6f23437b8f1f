using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>The node side of Agent.Connect, as far as these tests need it: hello, read batches, ack.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;

    private TestAgent(GrpcChannel channel, AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> call)
    {
        this._channel = channel;
        this._call = call;
    }

    public static Task<TestAgent> ConnectAsync(Uri controller, string node, NodeRole role, ulong appliedVersion = 0) =>
        ConnectAsync(controller, new AgentMessage { Hello = new Hello { NodeName = node, Role = role, AppliedVersion = appliedVersion } });

    /// <summary>Opens the stream with <paramref name="first"/>, which a well-behaved agent makes its hello.</summary>
    public static async Task<TestAgent> ConnectAsync(Uri controller, AgentMessage first)
    {
        var channel = RpcChannels.ForAddress(controller);
        var call = new Agent.AgentClient(channel).Connect(deadline: DateTime.UtcNow.AddSeconds(30));
        await call.RequestStream.WriteAsync(first);
        return new TestAgent(channel, call);
    }

    public async Task<ControllerMessage> NextAsync() =>
        await _call.ResponseStream.MoveNext() ? _call.ResponseStream.Current : throw new InvalidOperationException("the controller ended the stream");

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
            while (await _call.ResponseStream.MoveNext())
            {
            }
        });
    }

    public Task SendAsync(AgentMessage message) => _call.RequestStream.WriteAsync(message);

    public Task AckAsync(ulong version, StatusCode status = StatusCode.OK) =>
        _call.RequestStream.WriteAsync(new AgentMessage { BatchAck = new BatchAck { Version = version, Status = (int)status } });

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
