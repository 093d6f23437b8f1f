namespace Sdn.Fabric.Edge.Datapath;

/// <summary>A frame the datapath handed to the slow path, with the reason code its compiled flow gave.</summary>
public sealed record PuntedPacket(uint InPort, byte Reason, byte[] Frame);
