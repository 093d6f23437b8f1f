using System.Runtime.InteropServices;

namespace Sdn.Common.Interop;

/// <summary><c>struct epoll_event</c>, which x86-64 packs to 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
