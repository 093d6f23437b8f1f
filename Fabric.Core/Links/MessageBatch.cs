using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The pinned arrays one sendmmsg or recvmmsg call needs: message headers, I/O vectors, socket addresses and one
/// control message per message, UDP_SEGMENT for a send batch (<see cref="ForSending"/>, up to
/// <see cref="MessageCapacity"/> messages) and UDP_GRO for a receive batch (<see cref="ForReceiving"/>, a burst's).
/// Allocated once per link direction.
/// </summary>
internal sealed unsafe class MessageBatch
{
    /// <summary>Two messages a frame: a frame cut into chunks may need a second segmentation offload send.</summary>
    public const int MessageCapacity = 2 * PacketBurst.Capacity;

    private readonly UdpInterop.MultipleMessageHeader[] _messages;
    private readonly UdpInterop.IoVector[] _vectors;
    private readonly UdpInterop.SocketAddressInet[] _addresses;
    private readonly UdpInterop.SegmentSizeControl[] _controls;
    private readonly UdpInterop.ReceivedSegmentSizeControl[] _receivedControls;
    private readonly int _vectorsPerMessage;

    /// <param name="vectorsPerMessage">For a receive batch, the vectors each message may scatter over; 0 for a send batch.</param>
    private MessageBatch(int messages, int vectors, int vectorsPerMessage)
    {
        var receiving = vectorsPerMessage > 0;
        _vectorsPerMessage = vectorsPerMessage;
        _messages = GC.AllocateArray<UdpInterop.MultipleMessageHeader>(messages, pinned: true);
        _vectors = GC.AllocateArray<UdpInterop.IoVector>(vectors, pinned: true);
        _addresses = GC.AllocateArray<UdpInterop.SocketAddressInet>(messages, pinned: true);
        _controls = receiving ? [] : GC.AllocateArray<UdpInterop.SegmentSizeControl>(messages, pinned: true);
        _receivedControls = receiving ? GC.AllocateArray<UdpInterop.ReceivedSegmentSizeControl>(messages, pinned: true) : [];
    }

    /// <summary>A batch for sendmmsg whose messages may point at <paramref name="vectorCapacity"/> I/O vectors in all.</summary>
    public static MessageBatch ForSending(int vectorCapacity) => new(MessageCapacity, vectorCapacity, vectorsPerMessage: 0);

    /// <summary>A batch for recvmmsg of up to a burst of messages, each into one buffer or scattered over up to <paramref name="vectorsPerMessage"/>.</summary>
    public static MessageBatch ForReceiving(int vectorsPerMessage) => new(PacketBurst.Capacity, PacketBurst.Capacity * vectorsPerMessage, vectorsPerMessage);

    // SAFETY: every array here is allocated pinned, so its address never changes while this batch lives, and
    // every index used is below the array's length.
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

        SetHeader(index, firstVector, vectorCount, control, control is null ? 0 : sizeof(UdpInterop.SegmentSizeControl));
    }

    /// <summary>
    /// Readies message <paramref name="index"/> to receive into one buffer, with room for the size of the datagrams a
    /// UDP_GRO socket joined into it; once, then <see cref="RearmReceive"/> after each receive that fills it.
    /// </summary>
    public void SetReceive(int index, byte* buffer, int length)
    {
        SetVector(FirstVectorOf(index), buffer, length);
        SetScatteredReceive(index, 1);
    }

    /// <summary>The first of the I/O vectors received message <paramref name="index"/> may scatter over.</summary>
    public int FirstVectorOf(int index) => index * _vectorsPerMessage;

    /// <summary>
    /// Readies message <paramref name="index"/> to receive into the <paramref name="vectorCount"/> vectors from
    /// <see cref="FirstVectorOf"/> on, which the caller pointed first, with room for the size of joined datagrams.
    /// </summary>
    public void SetScatteredReceive(int index, int vectorCount) =>
        SetHeader(index, FirstVectorOf(index), vectorCount, Unsafe.AsPointer(ref _receivedControls[index]), sizeof(UdpInterop.ReceivedSegmentSizeControl));

    /// <summary>
    /// Readies message <paramref name="index"/> to receive again after a receive filled it: the kernel wrote back the
    /// lengths of the address and control message it gave, and nothing else of the header.
    /// </summary>
    public void RearmReceive(int index)
    {
        ref var header = ref _messages[index].Header;
        header.NameLength = (uint)sizeof(UdpInterop.SocketAddressInet);
        header.ControlLength = (nuint)sizeof(UdpInterop.ReceivedSegmentSizeControl);
    }

    /// <summary>The size of each datagram the kernel joined into received message <paramref name="index"/>; 0 when it is one datagram.</summary>
    public int ReceivedSegmentSize(int index)
    {
        ref readonly var control = ref _receivedControls[index];
        return _messages[index].Header.ControlLength >= 16 + sizeof(int) && control.Level == UdpInterop.SolUdp && control.Type == UdpInterop.UdpGro
            ? control.SegmentSize
            : 0;
    }

    private void SetHeader(int index, int firstVector, int vectorCount, void* control, int controlLength)
    {
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
                ControlLength = (nuint)controlLength,
            },
        };
    }
}
