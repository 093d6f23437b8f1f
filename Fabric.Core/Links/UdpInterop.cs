using System.Runtime.InteropServices;

namespace Sdn.Fabric.Core.Links;

/// <summary>The libc calls and Linux x86-64/arm64 (LP64) structures that batched UDP I/O needs.</summary>
internal static unsafe partial class UdpInterop
{
    public const int MsgDontWait = 0x40;
    public const int MsgTruncated = 0x20;
    public const ushort AddressFamilyInet = 2;
    public const int SolUdp = 17;
    public const int UdpSegment = 103;
    public const int UdpGro = 104;
    public const int SolIp = 0;
    public const int IpMtu = 14;

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMultipleMessages(int socket, MultipleMessageHeader* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int ReceiveMultipleMessages(int socket, MultipleMessageHeader* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int socket, byte* buffer, nuint length, int flags, SocketAddressInet* address, uint addressLength);

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* IoVectors;
        public nuint IoVectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: a message header and the byte count the kernel moved for it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MultipleMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    /// <summary>
    /// One cmsg carrying UDP_SEGMENT (the GSO segment size): a 16-byte struct cmsghdr, a 16-bit payload, and
    /// padding to CMSG_SPACE(2) = 24 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    public struct SegmentSizeControl
    {
        public nuint Length;
        public int Level;
        public int Type;
        public ushort SegmentSize;

        public static SegmentSizeControl For(ushort segmentSize) => new()
        {
            Length = 16 + sizeof(ushort),
            Level = SolUdp,
            Type = UdpSegment,
            SegmentSize = segmentSize,
        };
    }

    /// <summary>
    /// Room for the one cmsg a UDP_GRO socket may get with a message, UDP_GRO and the size of the datagrams the
    /// kernel joined into it: a 16-byte struct cmsghdr and a 32-bit payload, padded to CMSG_SPACE(4) = 24 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    public struct ReceivedSegmentSizeControl
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int SegmentSize;
    }

    /// <summary>struct sockaddr_in; port and address in network byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SocketAddressInet
    {
        public ushort Family;
        public ushort PortNetworkOrder;
        public uint AddressNetworkOrder;
        public ulong Zero;
    }
}
