using Sdn.Contracts.Rpc;

namespace Sdn.Cli.Hosting;

/// <summary>How a node host's agent reaches the controller, and where it says the node's links arrive.</summary>
/// <param name="Underlay">"ip:port" of a node in a process of its own; empty for a node that runs with the controller.</param>
/// <param name="Credentials">The node's token and the authorities it trusts; none on the embedded loopback.</param>
internal sealed record NodeConnection(ControllerAddresses Controller, string Underlay = "", ClientCredentials? Credentials = null);
