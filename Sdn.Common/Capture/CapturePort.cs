namespace Sdn.Common.Capture;

/// <summary>A port as a capture names it: one pcapng interface description.</summary>
/// <param name="Name">The fabric-wide port name, for example "e1/vm1" or "c1/l2".</param>
/// <param name="Description">What the port is, for example "vNIC of vm1 on edge e1".</param>
public sealed record CapturePort(string Name, string Description, LinkType LinkType = LinkType.Ethernet);
