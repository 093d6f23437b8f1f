using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// One method of a gRPC service, named by its HTTP/2 path ("/sdn.v1.Controller/CreateNetwork") and
/// typed by its request and response messages. Both the server's registration and the client's
/// calls take one, so a path is spelled once and the message types always agree.
/// </summary>
public sealed record RpcMethod<TRequest, TResponse>(string Path)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    /// <summary>How a client decodes the responses, when not with the generated parser: it must give what that parser gives.</summary>
    public Func<ReadOnlySequence<byte>, TResponse>? DecodeResponse { get; init; }
}

public static class RpcMethod
{
    /// <summary>The method <paramref name="name"/> of a .proto service, checked against the message types.</summary>
    public static RpcMethod<TRequest, TResponse> Of<TRequest, TResponse>(ServiceDescriptor service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(service);
        var method = service.FindMethodByName(name)
            ?? throw new ArgumentException($"service {service.FullName} has no method {name}", nameof(name));
        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"{service.FullName}/{name} takes {method.InputType.ClrType.Name} and returns {method.OutputType.ClrType.Name}, " +
                $"not {typeof(TRequest).Name} and {typeof(TResponse).Name}",
                nameof(name));
        }

        return new RpcMethod<TRequest, TResponse>($"/{service.FullName}/{name}");
    }
}
