using System.Runtime.InteropServices;

namespace Sdn.Fabric.Core.Polling;

/// <summary>
/// A ring position alone on its cache line (and the next, for the adjacent-line prefetcher), so a producer's
/// position and a consumer's do not false-share.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedPosition
{
    [FieldOffset(64)]
    public long Value;
}
