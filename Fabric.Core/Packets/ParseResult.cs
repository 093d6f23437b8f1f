namespace Sdn.Fabric.Core.Packets;

/// <summary>
/// The outcome of parsing a whole frame: on success the innermost layer understood, otherwise the layer
/// that was truncated or malformed (every layer outside it was parsed).
/// </summary>
public readonly record struct ParseResult(ParseStatus Status, PacketLayer Layer)
{
    public bool IsOk => Status == ParseStatus.Ok;
}
