using Grpc.Core;
using Sdn.Cli.Hosting;

namespace Sdn.Cli.Tests.Hosting;

public class UnexpectedErrorInterceptorTests
{
    private readonly UnexpectedErrorInterceptor _interceptor = new();

    [Fact]
    public async Task A_handler_that_throws_anything_else_ends_the_call_internal_with_what_broke()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.UnaryServerHandler<string, string>("request", new CallContext(), (_, _) => throw new DllNotFoundException("libpcap.so.0.8")));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("the handler failed: DllNotFoundException: libpcap.so.0.8", error.Status.Detail);
    }

    [Fact]
    public async Task A_handlers_own_status_reaches_the_client_unchanged()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _interceptor.ServerStreamingServerHandler<string, string>("request", null!, new CallContext(), (_, _, _) => throw new RpcException(new Status(StatusCode.NotFound, "no such port"))));

        Assert.Equal((StatusCode.NotFound, "no such port"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task A_handler_stopped_by_its_cancelled_call_is_left_to_the_server()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _interceptor.DuplexStreamingServerHandler<string, string>(null!, null!, new CallContext(cancelled.Token), (_, _, context) => Task.FromCanceled(context.CancellationToken)));
    }

    /// <summary>The server's view of a call, as far as the interceptor reads it: its cancellation.</summary>
    private sealed class CallContext(CancellationToken cancellationToken = default) : ServerCallContext
    {
        protected override string MethodCore => "/test.Service/Method";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore { get; } = [];

        protected override CancellationToken CancellationTokenCore => cancellationToken;

        protected override Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore { get; } = new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
