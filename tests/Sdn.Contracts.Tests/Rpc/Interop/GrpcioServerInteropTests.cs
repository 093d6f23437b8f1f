using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc.Interop;

/// <summary>Our client against a gRPC server nobody here wrote: Debian's python3-grpcio.</summary>
public sealed class GrpcioServerInteropTests : IClassFixture<GrpcioServerFixture>
{
    private static readonly RpcMethod<StringValue, StringValue> Echo = new("/test.Interop/Echo");
    private static readonly RpcMethod<StringValue, StringValue> Repeat = new("/test.Interop/Repeat");
    private static readonly RpcMethod<StringValue, StringValue> Fail = new("/test.Interop/Fail");
    private static readonly RpcMethod<StringValue, StringValue> FailAfterOne = new("/test.Interop/FailAfterOne");
    private static readonly RpcMethod<StringValue, StringValue> TimeRemaining = new("/test.Interop/TimeRemaining");
    private static readonly RpcMethod<StringValue, StringValue> Sleep = new("/test.Interop/Sleep");
    private static readonly RpcMethod<StringValue, StringValue> Chat = new("/test.Interop/Chat");
    private static readonly RpcMethod<StringValue, StringValue> Missing = new("/test.Interop/Missing");

    private readonly GrpcioServerFixture server;

    public GrpcioServerInteropTests(GrpcioServerFixture server)
    {
        this.server = server;
    }

    private RpcChannel Channel => server.Channel;

    [Fact]
    public async Task Unary_and_server_streaming_calls_get_their_replies()
    {
        Assert.Equal("hello", (await Channel.UnaryAsync(Echo, new StringValue { Value = "hello" })).Value);
        Assert.Equal(["x", "x", "x"], await Channel.ServerStreamingAsync(Repeat, new StringValue { Value = "x" }).Select(m => m.Value).ToListAsync());
    }

    [Fact]
    public async Task Duplex_call_echoes_each_message()
    {
        await using var call = Channel.Duplex(Chat);

        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.WriteAsync(new StringValue { Value = text });
            Assert.Equal(text, (await call.ReadAsync())!.Value);
        }

        await call.CompleteRequestsAsync();
        Assert.Null(await call.ReadAsync());
    }

    [Fact]
    public async Task Statuses_arrive_with_their_decoded_messages()
    {
        var trailersOnly = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(Fail, new StringValue()));
        var afterMessage = await Assert.ThrowsAsync<RpcException>(async () => await Channel.ServerStreamingAsync(FailAfterOne, new StringValue()).CountAsync());
        var missing = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(Missing, new StringValue()));

        Assert.Equal((StatusCode.FailedPrecondition, "ünïcode 100% broken"), (trailersOnly.Status, trailersOnly.Message));
        Assert.Equal((StatusCode.ResourceExhausted, "enough"), (afterMessage.Status, afterMessage.Message));
        Assert.Equal(StatusCode.Unimplemented, missing.Status);
    }

    [Fact]
    public async Task The_deadline_reaches_the_server_and_ends_the_call()
    {
        var remaining = await Channel.UnaryAsync(TimeRemaining, new StringValue(), DateTime.UtcNow.AddSeconds(5));
        var noDeadline = await Channel.UnaryAsync(TimeRemaining, new StringValue());
        var started = Stopwatch.StartNew();
        var exceeded = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(Sleep, new StringValue(), DateTime.UtcNow.AddMilliseconds(300)));

        Assert.InRange(double.Parse(remaining.Value, CultureInfo.InvariantCulture), 3.0, 5.0);
        Assert.Equal("none", noDeadline.Value);
        Assert.Equal(StatusCode.DeadlineExceeded, exceeded.Status);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }
}
