using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>One message an agent sent for an <see cref="AgentRequest"/>, and the node it came from.</summary>
public readonly record struct NodeReport(string Node, AgentMessage Message);
