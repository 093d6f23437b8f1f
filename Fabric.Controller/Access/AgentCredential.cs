using Grpc.Core;

namespace Sdn.Fabric.Controller.Access;

/// <summary>The node an agent stream's credential names, set by <see cref="TokenInterceptor"/> for the hub to hold the hello to.</summary>
public static class AgentCredential
{
    private const string Key = "sdn.agent-credential-node";

    public static void Set(ServerCallContext context, string node)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.UserState[Key] = node;
    }

    /// <summary>The node the call's credential names, or null when the controller takes agents without tokens.</summary>
    public static string? NodeOf(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(Key, out var node) ? (string)node : null;
    }
}
