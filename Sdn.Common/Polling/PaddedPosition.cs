using System.Runtime.InteropServices;

namespace Sdn.Common.Polling;

/// <summary>
/// A ring position alone on its cache line (and the next, for the adjacent-line prefetcher), so a producer's
/// position and a consumer's do not false-share.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
public struct PaddedPosition
{
    [FieldOffset(64)]
    public long Value;
}
