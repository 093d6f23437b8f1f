namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>The notification sent when an entry flagged <see cref="FlowEditOptions.SendFlowRemoved"/> leaves its table.</summary>
public sealed record FlowRemoved(TableEntry Entry, FlowRemovedReason Reason, long Packets, long Bytes);
