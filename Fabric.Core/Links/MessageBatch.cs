using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The pinned arrays one sendmmsg or recvmmsg call needs for up to a burst of datagrams: message headers,
/// I/O vectors, socket addresses and, for segmentation offload, one UDP_SEGMENT control message per
/// message. Allocated once per link direction.
/// </summary>
internal sealed unsafe class MessageBatch
{
    private readonly UdpInterop.MultipleMessageHeader[] _messages =
        GC.AllocateArray<UdpInterop.MultipleMessageHeader>(PacketBurst.Capacity, pinned: true);

    private readonly UdpInterop.IoVector[] _vectors = GC.AllocateArray<UdpInterop.IoVector>(PacketBurst.Capacity, pinned: true);

    private readonly UdpInterop.SocketAddressInet[] _addresses =
        GC.AllocateArray<UdpInterop.SocketAddressInet>(PacketBurst.Capacity, pinned: true);

    private readonly UdpInterop.SegmentSizeControl[] _controls =
        GC.AllocateArray<UdpInterop.SegmentSizeControl>(PacketBurst.Capacity, pinned: true);

    // SAFETY: every array here is allocated pinned, so its address never changes while this batch lives, and
    // every index used is below PacketBurst.Capacity, their common length.
    public UdpInterop.MultipleMessageHeader* Messages => (UdpInterop.MultipleMessageHeader*)Unsafe.AsPointer(ref _messages[0]);

    public ref UdpInterop.MultipleMessageHeader Message(int index) => ref _messages[index];

    public ref UdpInterop.SocketAddressInet Address(int index) => ref _addresses[index];

    /// <summary>Points I/O vector <paramref name="index"/> at a buffer the caller keeps pinned until the call that uses it returns.</summary>
    public void SetVector(int index, byte* buffer, int length) =>
        _vectors[index] = new UdpInterop.IoVector { Base = buffer, Length = (nuint)length };

    /// <summary>
    /// Makes message <paramref name="index"/> one datagram of the vectors from <paramref name="firstVector"/>
    /// on, or, with a nonzero <paramref name="segmentSize"/>, that many bytes per datagram cut by the kernel
    /// (UDP generic segmentation offload).
    /// </summary>
    public void SetMessage(int index, int firstVector, int vectorCount, in UdpInterop.SocketAddressInet address, ushort segmentSize = 0)
    {
        _addresses[index] = address;
        var control = segmentSize == 0 ? null : Unsafe.AsPointer(ref _controls[index]);
        if (segmentSize != 0)
        {
            _controls[index] = UdpInterop.SegmentSizeControl.For(segmentSize);
        }

        // SAFETY: pinned arrays, as above.
        _messages[index] = new UdpInterop.MultipleMessageHeader
        {
            Header = new UdpInterop.MessageHeader
            {
                Name = Unsafe.AsPointer(ref _addresses[index]),
                NameLength = (uint)sizeof(UdpInterop.SocketAddressInet),
                IoVectors = (UdpInterop.IoVector*)Unsafe.AsPointer(ref _vectors[firstVector]),
                IoVectorCount = (nuint)vectorCount,
                Control = control,
                ControlLength = control is null ? 0 : (nuint)sizeof(UdpInterop.SegmentSizeControl),
            },
        };
    }
}
