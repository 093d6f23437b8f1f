using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

/// <summary>Every kind of call, and every way one ends, over real HTTP/2 on loopback.</summary>
public class RpcCallTests
{
    private static readonly RpcMethod<StringValue, StringValue> Echo = new("/test.Echo/Unary");
    private static readonly RpcMethod<Int32Value, Int32Value> Count = new("/test.Echo/Count");
    private static readonly RpcMethod<StringValue, StringValue> Chat = new("/test.Echo/Chat");
    private static readonly RpcMethod<StringValue, StringValue> Fail = new("/test.Echo/Fail");
    private static readonly RpcMethod<StringValue, StringValue> Crash = new("/test.Echo/Crash");
    private static readonly RpcMethod<BytesValue, BytesValue> Blob = new("/test.Echo/Blob");
    private static readonly RpcMethod<StringValue, StringValue> Missing = new("/test.Echo/Missing");
    private static readonly RpcMethod<Int32Value, Int32Value> Hang = new("/test.Echo/Hang");
    private static readonly RpcMethod<Int32Value, Int32Value> HangDeaf = new("/test.Echo/HangDeaf");
    private static readonly RpcMethod<Empty, StringValue> Whoami = new("/test.Echo/Whoami");

    private readonly TaskCompletionSource<bool> handlerCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Unary_call_returns_the_handlers_reply()
    {
        await using var host = await StartAsync();

        var reply = await host.Channel.UnaryAsync(Echo, new StringValue { Value = "hello" });

        Assert.Equal("echo: hello", reply.Value);
    }

    [Fact]
    public async Task Handlers_see_the_method_the_deadline_the_peer_and_the_headers()
    {
        await using var host = await StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);

        var withDeadline = (await host.Channel.UnaryAsync(Whoami, new Empty(), deadline)).Value.Split(' ');
        var without = (await host.Channel.UnaryAsync(Whoami, new Empty())).Value.Split(' ');

        Assert.Equal("/test.Echo/Whoami", withDeadline[0]);
        Assert.InRange(double.Parse(withDeadline[1], System.Globalization.CultureInfo.InvariantCulture), 28, 30.5);
        Assert.StartsWith("127.0.0.1:", withDeadline[2], StringComparison.Ordinal);
        Assert.Equal("trailers", withDeadline[3]);
        Assert.Equal("none", without[1]);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_channel()
    {
        await using var host = await StartAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => host.Channel.UnaryAsync(Echo, new StringValue { Value = $"{i}" })));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"echo: {i}"), replies.Select(r => r.Value));
    }

    [Fact]
    public async Task Server_streaming_call_yields_every_message_in_order()
    {
        await using var host = await StartAsync();

        var received = await host.Channel.ServerStreamingAsync(Count, new Int32Value { Value = 5 }).Select(m => m.Value).ToListAsync();

        Assert.Equal([1, 2, 3, 4, 5], received);
    }

    [Fact]
    public async Task Server_streaming_error_after_messages_arrives_in_the_trailers()
    {
        await using var host = await StartAsync();
        var received = new List<int>();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in host.Channel.ServerStreamingAsync(Count, new Int32Value { Value = -3 }))
            {
                received.Add(message.Value);
            }
        });

        Assert.Equal([1, 2, 3], received);
        Assert.Equal(StatusCode.OutOfRange, error.Status);
        Assert.Equal("counted past the end", error.Message);
    }

    [Fact]
    public async Task Duplex_call_exchanges_messages_both_ways_then_ends_when_requests_complete()
    {
        await using var host = await StartAsync();
        await using var call = host.Channel.Duplex(Chat);

        await call.WriteAsync(new StringValue { Value = "a" });
        Assert.Equal("re: a", (await call.ReadAsync())!.Value);
        await call.WriteAsync(new StringValue { Value = "b" });
        Assert.Equal("re: b", (await call.ReadAsync())!.Value);
        await call.CompleteRequestsAsync();

        Assert.Equal("bye after 2", (await call.ReadAsync())!.Value);
        Assert.Null(await call.ReadAsync());
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Missing, new StringValue()));

        Assert.Equal(StatusCode.Unimplemented, error.Status);
        Assert.Contains("/test.Echo/Missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thrown_RpcException_reaches_the_client_with_its_status_and_message()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Fail, new StringValue { Value = "network 'blue' — not found: 100%" }));

        Assert.Equal(StatusCode.NotFound, error.Status);
        Assert.Equal("network 'blue' — not found: 100%", error.Message);
    }

    [Fact]
    public async Task Any_other_handler_exception_is_internal()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Crash, new StringValue()));

        Assert.Equal(StatusCode.Internal, error.Status);
        Assert.Contains("InvalidOperationException", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_enforces_the_deadline_even_when_the_handler_ignores_its_token()
    {
        await using var host = await StartAsync();
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.UnaryAsync(HangDeaf, new Int32Value { Value = 2000 }, DateTime.UtcNow.AddMilliseconds(300)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMilliseconds(1500), $"took {DateTime.UtcNow - started}");
    }

    [Fact]
    public async Task Deadline_cancels_the_handlers_token()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Channel.UnaryAsync(Hang, new Int32Value(), DateTime.UtcNow.AddMilliseconds(200)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
        Assert.True(await handlerCancelled.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Client_enforces_its_deadline_on_a_stream_that_never_ends()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Channel.ServerStreamingAsync(Count, new Int32Value { Value = int.MaxValue }, DateTime.UtcNow.AddMilliseconds(300)).CountAsync());

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task A_deadline_already_past_fails_at_once()
    {
        await using var host = await StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Echo, new StringValue(), DateTime.UtcNow.AddSeconds(-1)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task A_deadline_too_far_to_arm_is_no_deadline()
    {
        await using var host = await StartAsync();

        var reply = await host.Channel.UnaryAsync(Echo, new StringValue { Value = "later" }, DateTime.MaxValue);

        Assert.Equal("echo: later", reply.Value);
    }

    [Fact]
    public async Task Server_takes_the_longest_grpc_timeout_as_no_deadline()
    {
        await using var host = await StartAsync();

        using var response = await RawCallAsync(host, ("grpc-timeout", "99999999H"));

        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task Server_refuses_compressed_requests_and_says_what_it_accepts()
    {
        await using var host = await StartAsync();

        using var response = await RawCallAsync(host, ("grpc-encoding", "gzip"));

        Assert.Equal(((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("identity", response.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Fact]
    public async Task Client_cancellation_resets_the_stream_and_cancels_the_handler()
    {
        await using var host = await StartAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Hang, new Int32Value(), cancellationToken: cancel.Token));

        Assert.Equal(StatusCode.Cancelled, error.Status);
        Assert.True(await handlerCancelled.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Leaving_a_server_stream_early_cancels_the_handler()
    {
        await using var host = await StartAsync();

        await foreach (var message in host.Channel.ServerStreamingAsync(Count, new Int32Value { Value = int.MaxValue }))
        {
            if (message.Value == 3)
            {
                break;
            }
        }

        Assert.True(await handlerCancelled.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Oversize_request_is_resource_exhausted_at_the_server()
    {
        await using var host = await StartAsync(serverOptions: new RpcOptions { MaxReceiveMessageSize = 1000 });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Blob, Bytes(2000)));

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
        Assert.Equal("echo: still serving", (await host.Channel.UnaryAsync(Echo, new StringValue { Value = "still serving" })).Value);
    }

    [Fact]
    public async Task Oversize_response_is_resource_exhausted_at_the_client()
    {
        await using var host = await StartAsync(channelOptions: new RpcOptions { MaxReceiveMessageSize = 1000 });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Blob, Bytes(500)));

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task Oversize_response_is_refused_by_the_servers_send_limit()
    {
        await using var host = await StartAsync(serverOptions: new RpcOptions { MaxSendMessageSize = 1000 });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Blob, Bytes(500)));

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task Oversize_request_is_refused_by_the_clients_send_limit()
    {
        await using var host = await StartAsync(channelOptions: new RpcOptions { MaxSendMessageSize = 1000 });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(Blob, Bytes(2000)));

        Assert.Equal(StatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = new RpcChannel(new Uri($"http://127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, new StringValue()));

        Assert.Equal(StatusCode.Unavailable, error.Status);
    }

    /// <summary>An Echo call written by hand, to send headers the channel never would.</summary>
    private static async Task<HttpResponseMessage> RawCallAsync(RpcTestHost host, (string Name, string Value) header)
    {
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var message = new StringValue { Value = "x" }.ToByteArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Server.Address, Echo.Path))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, (byte)message.Length, .. message]),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.Add(header.Name, header.Value);
        var response = await http.SendAsync(request, CancellationToken.None);
        await response.Content.ReadAsByteArrayAsync();
        return response;
    }

    private static BytesValue Bytes(int length) => new() { Value = ByteString.CopyFrom(new byte[length]) };

    private Task<RpcTestHost> StartAsync(RpcOptions? serverOptions = null, RpcOptions? channelOptions = null) =>
        RpcTestHost.StartAsync(
            new RpcServiceBuilder()
                .AddUnary(Echo, (request, _) => Task.FromResult(new StringValue { Value = "echo: " + request.Value }))
                .AddUnary(Fail, (request, _) => throw new RpcException(StatusCode.NotFound, request.Value))
                .AddUnary<StringValue, StringValue>(Crash, (_, _) => throw new InvalidOperationException("bug"))
                .AddUnary(Blob, (request, _) => Task.FromResult(new BytesValue { Value = ByteString.CopyFrom(new byte[request.Value.Length * 2]) }))
                .AddUnary(Hang, WaitForCancellationAsync)
                .AddUnary(HangDeaf, async (request, _) =>
                {
                    await Task.Delay(request.Value);
                    return request;
                })
                .AddUnary(Whoami, (_, context) => Task.FromResult(new StringValue
                {
                    Value = string.Join(
                        ' ',
                        context.Method,
                        context.Deadline is { } due ? (due - DateTime.UtcNow).TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none",
                        context.Peer,
                        context.GetRequestHeader("te")),
                }))
                .AddServerStreaming(Count, CountAsync)
                .AddDuplex(Chat, ChatAsync),
            serverOptions,
            channelOptions);

    private async Task<Int32Value> WaitForCancellationAsync(Int32Value request, RpcCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return request;
        }
        catch (OperationCanceledException)
        {
            handlerCancelled.TrySetResult(true);
            throw;
        }
    }

    /// <summary>Counts 1..n; for a negative n counts to -n and then fails.</summary>
    private async Task CountAsync(Int32Value request, RpcStreamWriter<Int32Value> responses, RpcCallContext context)
    {
        try
        {
            for (var i = 1; i <= Math.Abs(request.Value); i++)
            {
                await responses.WriteAsync(new Int32Value { Value = i });
            }
        }
        catch (Exception)
        {
            // A write can fail on the reset stream a moment before the token fires; the token must still fire.
            handlerCancelled.TrySetResult(context.CancellationToken.WaitHandle.WaitOne(Patience));
            throw;
        }

        if (request.Value < 0)
        {
            throw new RpcException(StatusCode.OutOfRange, "counted past the end");
        }
    }

    private static async Task ChatAsync(RpcStreamReader<StringValue> requests, RpcStreamWriter<StringValue> responses, RpcCallContext context)
    {
        var count = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            count++;
            await responses.WriteAsync(new StringValue { Value = "re: " + request.Value });
        }

        await responses.WriteAsync(new StringValue { Value = $"bye after {count}" });
    }
}
