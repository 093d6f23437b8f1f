using System.Runtime.InteropServices;

namespace Sdn.Common.Interop;

/// <summary>glibc's x86-64 <c>struct sigaction</c>: handler, a 128-byte mask, flags, restorer.</summary>
[StructLayout(LayoutKind.Explicit, Size = 152)]
public struct SigActionStruct
{
    [FieldOffset(0)] public nint Handler;
    [FieldOffset(136)] public int Flags;
    [FieldOffset(144)] public nint Restorer;
}
