namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>The notification sent when an entry flagged <see cref="FlowModOptions.SendFlowRemoved"/> leaves its table.</summary>
public sealed record FlowRemoved(FlowEntry Entry, FlowRemovedReason Reason, long Packets, long Bytes);
