using System.Runtime.InteropServices;

namespace Sdn.Common.Capture.Native;

/// <summary>
/// The few libpcap calls Sdn needs to compile tcpdump filter expressions and run them over frames.
/// libpcap comes from Debian's libpcap0.8 package, which installs libpcap.so.0.8 (and no unversioned name);
/// <see cref="NativePackages"/> turns its absence into that advice.
/// </summary>
internal static unsafe partial class LibPcap
{
    public const string Library = "libpcap.so.0.8";

    /// <summary>Netmask argument meaning "unknown": filters on broadcast addresses then fail to compile.</summary>
    public const uint NetmaskUnknown = 0xFFFFFFFF;

    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgram
    {
        public uint InstructionCount;
        public nint Instructions;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PacketHeader
    {
        public long Seconds;
        public long Microseconds;
        public uint CapturedLength;
        public uint Length;
    }

    [LibraryImport(Library, EntryPoint = "pcap_open_dead")]
    public static partial nint OpenDead(int linkType, int snapLength);

    [LibraryImport(Library, EntryPoint = "pcap_close")]
    public static partial void Close(nint handle);

    [LibraryImport(Library, EntryPoint = "pcap_compile", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Compile(nint handle, BpfProgram* program, string expression, int optimize, uint netmask);

    [LibraryImport(Library, EntryPoint = "pcap_geterr")]
    public static partial nint GetError(nint handle);

    [LibraryImport(Library, EntryPoint = "pcap_freecode")]
    public static partial void FreeCode(BpfProgram* program);

    // Runs a few dozen BPF instructions, never blocks and never calls back: safe to skip the GC transition,
    // which costs as much as the filter itself on the capture path.
    [LibraryImport(Library, EntryPoint = "pcap_offline_filter")]
    [SuppressGCTransition]
    public static partial int OfflineFilter(BpfProgram* program, PacketHeader* header, byte* packet);
}
