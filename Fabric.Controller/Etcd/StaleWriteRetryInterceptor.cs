using Grpc.Core;
using Grpc.Core.Interceptors;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// Gives a write that another controller overtook (<see cref="StaleStateException"/>) another go: it waits until
/// this controller's model has caught up with the version the store holds, then runs the call again, so that it is
/// validated afresh against the state it will be applied to. After <see cref="Attempts"/> tries, or when the model
/// does not catch up in <see cref="CatchUpTimeout"/>, the call ends ABORTED and changed nothing.
/// </summary>
public sealed class StaleWriteRetryInterceptor(FabricModel model) : Interceptor
{
    public const int Attempts = 5;

    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(2);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        for (var attempt = 1; ; attempt++)
        {
            StaleStateException stale;
            try
            {
                return await continuation(request, context).ConfigureAwait(false);
            }
            catch (StaleStateException overtaken)
            {
                stale = overtaken;
            }

            // Validated again on the next round, against the state that overtook it.
            if (attempt == Attempts || !await CaughtUpAsync(stale.Current, context.CancellationToken).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Aborted, $"{stale.Message} (other controllers kept writing over {attempt} tries)"));
            }
        }
    }

    private async Task<bool> CaughtUpAsync(ulong version, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (model.Version < version)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
