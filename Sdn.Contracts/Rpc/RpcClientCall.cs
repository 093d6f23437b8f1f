using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The client's side of one call: sends the request, then reads the response messages and the
/// final status from the response headers (trailers-only) or trailers. Every failure surfaces as
/// an <see cref="RpcException"/>: the server's status, or CANCELLED, DEADLINE_EXCEEDED,
/// UNAVAILABLE when the call ended on this side.
/// </summary>
internal sealed class RpcClientCall<TResponse> : IAsyncDisposable
    where TResponse : class, IMessage<TResponse>, new()
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);

    private readonly CancellationTokenSource cancellation;
    private readonly CancellationToken callerToken;
    private readonly int maxReceiveMessageSize;
    private readonly Func<ReadOnlySequence<byte>, TResponse>? decode;
    private readonly Task<HttpResponseMessage> responseTask;
    private HttpResponseMessage? response;
    private PipeReader? body;
    private RpcStreamReader<TResponse>? messages;
    private bool finished;

    public RpcClientCall(HttpMessageInvoker invoker, Uri uri, HttpContent content, DateTime? deadline, RpcOptions options, Func<ReadOnlySequence<byte>, TResponse>? decode, CancellationToken callerToken)
    {
        this.decode = decode;
        this.callerToken = callerToken;
        maxReceiveMessageSize = options.MaxReceiveMessageSize;
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);

        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        content.Headers.ContentType = GrpcContentType;
        if (deadline is { } due && due - DateTime.UtcNow is var timeout && timeout <= GrpcTimeout.MaxEnforceable)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
            cancellation.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        }

        responseTask = invoker.SendAsync(request, cancellation.Token);
        if (content is DuplexRequestContent duplex)
        {
            responseTask.ContinueWith(
                failed => duplex.Fail(failed.Exception?.InnerException ?? new OperationCanceledException(cancellation.Token)),
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion,
                TaskScheduler.Default);
        }
    }

    public CancellationToken Token => cancellation.Token;

    /// <summary>The next response message, or null once the call has ended with OK.</summary>
    public async ValueTask<TResponse?> ReadAsync()
    {
        if (finished)
        {
            return null;
        }

        try
        {
            messages ??= await OpenResponseAsync().ConfigureAwait(false);
            if (messages is not null && await messages.ReadAsync(cancellation.Token).ConfigureAwait(false) is { } message)
            {
                return message;
            }

            finished = true;
            var (status, text) = ReadStatus(messages is null ? response!.Headers : response!.TrailingHeaders);
            return status == StatusCode.OK ? null : throw new RpcException(status, text);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e);
        }
    }

    /// <summary>The one message of a unary call's response.</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        var message = await ReadAsync().ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "the server ended a unary call with OK but sent no response message");
        return await ReadAsync().ConfigureAwait(false) is null
            ? message
            : throw new RpcException(StatusCode.Internal, "the server sent more than one response message to a unary call");
    }

    /// <summary>What went wrong on this side, as the status the caller sees.</summary>
    public RpcException Translate(Exception e) => e switch
    {
        RpcException rpc => rpc,
        _ when callerToken.IsCancellationRequested => new RpcException(StatusCode.Cancelled, "the call was cancelled by the client", e),
        _ when cancellation.IsCancellationRequested => new RpcException(StatusCode.DeadlineExceeded, "deadline exceeded", e),
        InvalidProtocolBufferException => new RpcException(StatusCode.Internal, $"could not parse the response message: {e.Message}", e),
        _ => new RpcException(StatusCode.Unavailable, $"the connection failed: {e.Message}", e),
    };

    public async ValueTask DisposeAsync()
    {
        if (!finished)
        {
            // Ending an unfinished call resets its HTTP/2 stream (RST_STREAM), which cancels the server's handler.
            await cancellation.CancelAsync().ConfigureAwait(false);
        }

        if (body is not null)
        {
            await body.CompleteAsync().ConfigureAwait(false);
        }

        response?.Dispose();
        cancellation.Dispose();
    }

    /// <summary>Waits for the response headers; returns null for a trailers-only response, which has no body.</summary>
    private async Task<RpcStreamReader<TResponse>?> OpenResponseAsync()
    {
        response = await responseTask.ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(FromHttpStatus(response.StatusCode), $"the server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}, not a gRPC response");
        }

        if (response.Headers.Contains(GrpcProtocol.StatusHeader))
        {
            return null;
        }

        if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.MediaType))
        {
            throw new RpcException(StatusCode.Internal, $"the server answered with content-type '{response.Content.Headers.ContentType}', not {GrpcProtocol.ContentType}");
        }

        body = PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellation.Token).ConfigureAwait(false));
        return new RpcStreamReader<TResponse>(body, maxReceiveMessageSize, decode);
    }

    private static (StatusCode Status, string Message) ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var statuses)
            || !int.TryParse(statuses.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return (StatusCode.Internal, "the server ended the call without a valid grpc-status");
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages) ? GrpcStatusMessage.Decode(messages.FirstOrDefault()) : string.Empty;
        return ((StatusCode)status, message);
    }

    /// <summary>The mapping PROTOCOL-HTTP2.md gives for responses that are not gRPC at all.</summary>
    private static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
