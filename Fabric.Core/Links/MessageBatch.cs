using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The pinned arrays one sendmmsg or recvmmsg call needs for up to a burst of datagrams: message headers,
/// one I/O vector and one socket address per message. Allocated once per link direction.
/// </summary>
internal sealed unsafe class MessageBatch
{
    private readonly UdpInterop.MultipleMessageHeader[] _messages =
        GC.AllocateArray<UdpInterop.MultipleMessageHeader>(PacketBurst.Capacity, pinned: true);

    private readonly UdpInterop.IoVector[] _vectors = GC.AllocateArray<UdpInterop.IoVector>(PacketBurst.Capacity, pinned: true);

    private readonly UdpInterop.SocketAddressInet[] _addresses =
        GC.AllocateArray<UdpInterop.SocketAddressInet>(PacketBurst.Capacity, pinned: true);

    // SAFETY: the three arrays are allocated pinned, so their addresses never change while this batch lives,
    // and every index used is below PacketBurst.Capacity, their common length.
    public UdpInterop.MultipleMessageHeader* Messages => (UdpInterop.MultipleMessageHeader*)Unsafe.AsPointer(ref _messages[0]);

    public ref UdpInterop.MultipleMessageHeader Message(int index) => ref _messages[index];

    public ref UdpInterop.SocketAddressInet Address(int index) => ref _addresses[index];

    /// <summary>Points message <paramref name="index"/> at one buffer and one socket address.</summary>
    public void Set(int index, byte* buffer, int length, in UdpInterop.SocketAddressInet address)
    {
        // SAFETY: as above, pinned arrays; the buffer is pinned by the caller for as long as the call that uses it.
        _vectors[index] = new UdpInterop.IoVector { Base = buffer, Length = (nuint)length };
        _addresses[index] = address;
        _messages[index] = new UdpInterop.MultipleMessageHeader
        {
            Header = new UdpInterop.MessageHeader
            {
                Name = Unsafe.AsPointer(ref _addresses[index]),
                NameLength = (uint)sizeof(UdpInterop.SocketAddressInet),
                IoVectors = (UdpInterop.IoVector*)Unsafe.AsPointer(ref _vectors[index]),
                IoVectorCount = 1,
            },
        };
    }
}
