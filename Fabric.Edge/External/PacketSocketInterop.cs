using System.Runtime.InteropServices;

namespace Sdn.Fabric.Edge.External;

/// <summary>The libc calls and Linux structures a packet socket (AF_PACKET, packet(7)) needs.</summary>
internal static unsafe partial class PacketSocketInterop
{
    public const int AddressFamilyPacket = 17;
    public const int SocketRaw = 3;
    public const int SocketNonBlocking = 0x800;
    public const int SocketCloseOnExec = 0x80000;

    /// <summary>ETH_P_ALL in network byte order: every protocol.</summary>
    public const ushort AllProtocols = 0x0300;

    public const int SolPacket = 263;

    /// <summary>PACKET_VNET_HDR: each frame read or written behind a struct virtio_net_hdr.</summary>
    public const int PacketVnetHeader = 15;

    /// <summary>PACKET_IGNORE_OUTGOING: do not read back the frames this host sends out of the interface.</summary>
    public const int PacketIgnoreOutgoing = 23;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int socket, LinkLayerAddress* address, uint length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetOption(int socket, int level, int name, int* value, uint length);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial uint InterfaceIndex(string name);

    /// <summary>struct sockaddr_ll.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LinkLayerAddress
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public fixed byte Address[8];
    }
}
