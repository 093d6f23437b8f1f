namespace Sdn.Fabric.Edge.Datapath;

/// <summary>The frame rewrites behind the compiled actions.</summary>
public static class FrameActions
{
    /// <summary>The TTL of a pushed MPLS entry when the packet carries neither IP nor MPLS to copy one from.</summary>
    public const byte DefaultMplsTtl = 64;
}
