using Grpc.Core;
using Sdn.Common.Capture.Native;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The status that answers a call or an agent's request whose handling threw what the handler did not expect:
/// FAILED_PRECONDITION naming the Debian package to install when a native library is missing (the host lacks
/// something, and says how to fix it), INTERNAL with the exception's type and message for anything else (a bug).
/// </summary>
public static class FailureStatus
{
    /// <param name="doing">Who could not do what, for example "edge e1 cannot capture"; the message goes on from there.</param>
    public static Status Of(Exception error, string doing)
    {
        ArgumentNullException.ThrowIfNull(error);
        return NativePackages.Problem(error) is { } missing
            ? new Status(StatusCode.FailedPrecondition, $"{doing}: {missing}")
            : new Status(StatusCode.Internal, $"{doing}: {error.GetType().Name}: {error.Message}");
    }
}
