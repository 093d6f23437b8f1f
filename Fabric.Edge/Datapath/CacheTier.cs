namespace Sdn.Fabric.Edge.Datapath;

/// <summary>Which tier of the flow cache answers (or would answer) a packet.</summary>
public enum CacheTier
{
    /// <summary>Neither cache holds a current flow: the packet goes through the classifier.</summary>
    Miss,
    ExactMatch,
    Megaflow,
}
