using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// What the nodes made of the desired state, object by object. A port is up once its edge applied the batch that
/// carries it as it is now, and failed when the edge refused that batch. Its VM or host is up once the edge's host
/// says so. An external network's port is up once its gateway edge applied it and opened its interface, failed when
/// the edge could not (no such interface). A link is up once both its ends are, down when it is administratively down or either end sees it down,
/// and failed when it cannot be made where its nodes run (<see cref="LinkEndPlacement"/>).
/// </summary>
public static class FabricStatuses
{
    /// <param name="state">The desired state.</param>
    /// <param name="sessionOf">The connected session of a node, or null.</param>
    /// <param name="failureOf">The last batch a node refused, or null when it applied every batch since.</param>
    public static FabricStatus Of(FabricState state, Func<string, AgentSession?> sessionOf, Func<string, string?> failureOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(sessionOf);
        ArgumentNullException.ThrowIfNull(failureOf);
        var status = new FabricStatus { Version = state.Version };
        foreach (var port in state.Ports.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var session = sessionOf(port.Edge);
            var programmed = Programmed(port.Edge, port.Name, session, failureOf);
            status.Objects.Add(Status("port", port.Name, port.Edge, programmed));
            var device = programmed.State == ObjectState.Up ? Realized(port.Edge, port.Name, session!) : programmed;
            status.Objects.Add(Status(port.Kind == PortKind.Tap ? "host" : "vm", port.Name, port.Edge, device));
        }

        foreach (var external in state.Externals.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var session = sessionOf(external.Edge);
            var programmed = Programmed(external.Edge, external.Interface, session, failureOf);
            status.Objects.Add(Status("external", external.Name, external.Edge, programmed.State == ObjectState.Up ? Realized(external.Edge, external.Interface, session!) : programmed));
        }

        foreach (var link in state.Links.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            var linkState = link.AdminDown ? (ObjectState.Down, "administratively down")
                : LinkEndPlacement.Unrealizable(link, state) is { } why ? (ObjectState.Failed, why)
                : Ends(link, sessionOf, failureOf);
            status.Objects.Add(Status("link", link.Name, string.Empty, linkState));
        }

        return status;
    }

    private static (ObjectState State, string Reason) Programmed(string node, string port, AgentSession? session, Func<string, string?> failureOf)
    {
        if (session is null)
        {
            return (ObjectState.Pending, $"the agent of {node} is not connected");
        }

        if (session.Ports.Since(port) is not { } since)
        {
            return (ObjectState.Pending, $"{node} was not sent it yet");
        }

        if (since <= session.AppliedVersion)
        {
            return (ObjectState.Up, string.Empty);
        }

        return failureOf(node) is { Length: > 0 } failure
            ? (ObjectState.Failed, $"{node}: {failure}")
            : (ObjectState.Pending, $"{node} has not applied version {since} yet");
    }

    private static (ObjectState State, string Reason) Realized(string node, string port, AgentSession session) => session.Ports.RealizationOf(port) switch
    {
        null => (ObjectState.Pending, $"{node} has not reported it yet"),
        { Failure.Length: > 0 } failed => (ObjectState.Failed, failed.Failure),
        { Up: true } => (ObjectState.Up, string.Empty),
        _ => (ObjectState.Pending, "booting"),
    };

    private static (ObjectState State, string Reason) Ends(Link link, Func<string, AgentSession?> sessionOf, Func<string, string?> failureOf)
    {
        foreach (var end in new[] { link.A, link.B })
        {
            var session = sessionOf(end.Node);
            var programmed = Programmed(end.Node, end.Interface, session, failureOf);
            if (programmed.State != ObjectState.Up)
            {
                return programmed;
            }

            if (session!.Ports.LivenessOf(end.Interface) == false)
            {
                return (ObjectState.Down, $"{end.Node} sees it down on {end.Interface}");
            }
        }

        return (ObjectState.Up, string.Empty);
    }

    private static ObjectStatus Status(string kind, string name, string node, (ObjectState State, string Reason) status) =>
        new() { Kind = kind, Name = name, Node = node, State = status.State, Reason = status.Reason };
}
