using System.Runtime.CompilerServices;
using Grpc.Core;

namespace Sdn.Testing;

public static class ServerStreams
{
    /// <summary>The call's responses as an async sequence, for LINQ; the call is disposed when the sequence ends or is left.</summary>
    public static async IAsyncEnumerable<T> ReadAll<T>(this AsyncServerStreamingCall<T> call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using (call)
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return response;
            }
        }
    }
}
