using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Sdn.Contracts.Tests.Interop;

/// <summary>The channel agents and the CLI open (<see cref="Rpc.RpcChannels"/>), against a gRPC server nobody here wrote: Debian's python3-grpcio.</summary>
public sealed class GrpcioServerInteropTests : IClassFixture<GrpcioServerFixture>
{
    private static readonly Marshaller<StringValue> Text = Marshallers.Create(m => m.ToByteArray(), StringValue.Parser.ParseFrom);

    private readonly CallInvoker _calls;

    public GrpcioServerInteropTests(GrpcioServerFixture server)
    {
        _calls = server.Channel.CreateCallInvoker();
    }

    [Fact]
    public async Task Unary_and_server_streaming_calls_get_their_replies()
    {
        Assert.Equal("hello", (await Unary("Echo", "hello")).Value);
        using var repeat = _calls.AsyncServerStreamingCall(Method(MethodType.ServerStreaming, "Repeat"), null, default, new StringValue { Value = "x" });
        Assert.Equal(["x", "x", "x"], await repeat.ResponseStream.ReadAllAsync().Select(m => m.Value).ToListAsync());
    }

    [Fact]
    public async Task Duplex_call_echoes_each_message()
    {
        using var call = _calls.AsyncDuplexStreamingCall(Method(MethodType.DuplexStreaming, "Chat"), null, default);

        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new StringValue { Value = text });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(text, call.ResponseStream.Current.Value);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Statuses_arrive_with_their_decoded_messages()
    {
        var trailersOnly = await Assert.ThrowsAsync<RpcException>(() => Unary("Fail", string.Empty));
        var afterMessage = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = _calls.AsyncServerStreamingCall(Method(MethodType.ServerStreaming, "FailAfterOne"), null, default, new StringValue());
            await call.ResponseStream.ReadAllAsync().CountAsync();
        });
        var missing = await Assert.ThrowsAsync<RpcException>(() => Unary("Missing", string.Empty));

        Assert.Equal((StatusCode.FailedPrecondition, "ünïcode 100% broken"), (trailersOnly.StatusCode, trailersOnly.Status.Detail));
        Assert.Equal((StatusCode.ResourceExhausted, "enough"), (afterMessage.StatusCode, afterMessage.Status.Detail));
        Assert.Equal(StatusCode.Unimplemented, missing.StatusCode);
    }

    [Fact]
    public async Task The_deadline_reaches_the_server_and_ends_the_call()
    {
        var remaining = await Unary("TimeRemaining", string.Empty, DateTime.UtcNow.AddSeconds(5));
        var noDeadline = await Unary("TimeRemaining", string.Empty);
        var started = Stopwatch.StartNew();
        var exceeded = await Assert.ThrowsAsync<RpcException>(() => Unary("Sleep", string.Empty, DateTime.UtcNow.AddMilliseconds(300)));

        Assert.InRange(double.Parse(remaining.Value, CultureInfo.InvariantCulture), 3.0, 5.0);
        Assert.Equal("none", noDeadline.Value);
        Assert.Equal(StatusCode.DeadlineExceeded, exceeded.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"took {started.Elapsed}");
    }

    private static Method<StringValue, StringValue> Method(MethodType type, string name) => new(type, "test.Interop", name, Text, Text);

    private Task<StringValue> Unary(string method, string text, DateTime? deadline = null) =>
        _calls.AsyncUnaryCall(Method(MethodType.Unary, method), null, new CallOptions(deadline: deadline), new StringValue { Value = text }).ResponseAsync;
}
