using System.Runtime.InteropServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The outcome of parsing a whole frame: on success the innermost layer understood, otherwise the layer
/// that was truncated or malformed (every layer outside it was parsed).
/// </summary>
/// <remarks>
/// Four bytes, not the two its fields need: the JIT spills a returned two-byte struct with a 16-bit store and reloads
/// it with a 32-bit load, which cannot be forwarded from the store and stalled every parse about 15 cycles.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = 4)]
public readonly record struct ParseResult(ParseStatus Status, PacketLayer Layer)
{
    public bool IsOk => Status == ParseStatus.Ok;
}
