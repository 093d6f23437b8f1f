namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>The OpenFlow-level actions an apply-actions instruction or a group bucket can hold.</summary>
public enum PipelineActionKind : byte
{
    Output,
    Group,
    Drop,
    DropSpoofed,
    Controller,
    PushMpls,
    PopMpls,
    SetMplsLabel,
    SetMplsTc,
    SetMplsTtl,
    DecMplsTtl,
    PushVlan,
    PopVlan,
    SetField,
    DecIpTtl,
    ArpResponder,
    NdResponder,
    DhcpResponder,
    Mirror,
    Ct,
    LearnNeighbour,
    ResolveNeighbour,
    Loopback,
}
