using System.Globalization;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Sdn.Contracts.Rpc;

/// <summary>The server's side of one call: its request messages, its response messages and its final status.</summary>
internal sealed class RpcServerCall : IDisposable
{
    private readonly HttpContext http;
    private readonly RpcOptions options;
    private readonly MessageSink sink;

    public RpcServerCall(HttpContext http, RpcOptions options, RpcCallContext context)
    {
        this.http = http;
        this.options = options;
        Context = context;
        sink = new MessageSink(Task.FromResult(http.Response.BodyWriter), options.MaxSendMessageSize);
    }

    public RpcCallContext Context { get; }

    public RpcStreamReader<T> RequestStream<T>()
        where T : class, IMessage<T>, new() =>
        new(http.Request.BodyReader, options.MaxReceiveMessageSize);

    public RpcStreamWriter<T> ResponseStream<T>()
        where T : class, IMessage<T>, new() =>
        new(sink, Context.CancellationToken);

    /// <summary>Buffers the one response message of a unary call; it leaves with the trailers.</summary>
    public Task WriteSingleResponseAsync(IMessage response) => sink.WriteAsync(response, Context.CancellationToken, flush: false);

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    public async Task<T> ReadSingleRequestAsync<T>()
        where T : class, IMessage<T>, new()
    {
        var requests = RequestStream<T>();
        var request = await requests.ReadAsync(Context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, "the request stream held no message; this method takes exactly one");
        return await requests.ReadAsync(Context.CancellationToken).ConfigureAwait(false) is null
            ? request
            : throw new RpcException(StatusCode.Internal, "the request stream held more than one message; this method takes exactly one");
    }

    /// <summary>
    /// Ends the call with a status: in the HEADERS frame (trailers-only) when no message was sent,
    /// else in the trailers. Only the first status counts.
    /// </summary>
    public Task<bool> CompleteAsync(StatusCode status, string message) =>
        sink.CloseAsync(status, message, () =>
        {
            var response = http.Response;
            if (response.HasStarted || sink.HasWritten)
            {
                response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status).ToString(CultureInfo.InvariantCulture));
                if (message.Length > 0)
                {
                    response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(message));
                }
            }
            else
            {
                response.Headers[GrpcProtocol.StatusHeader] = ((int)status).ToString(CultureInfo.InvariantCulture);
                if (message.Length > 0)
                {
                    response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(message);
                }
            }

            return response.CompleteAsync();
        });

    public void Dispose() => sink.Dispose();
}
