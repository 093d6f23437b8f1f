using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Tests.Devices;

/// <summary>
/// The device side of a split queue on plain guest RAM (no KVM): the single-descriptor fast path and the chain walk
/// copy the same bytes, and a descriptor that breaks a rule is refused on either.
/// </summary>
public class SplitQueueTests
{
    private const ushort Next = 1;
    private const ushort Write = 2;
    private const ushort Indirect = 4;
    private const ushort QueueSize = 8;
    private const ulong Descriptors = 0x1000;
    private const ulong Avail = 0x2000;
    private const ulong Used = 0x3000;
    private const ulong Buffers = 0x1_0000;
    private const int HeaderSize = 12;
    private const int PacketBurstSlot = 1920;

    private static readonly byte[] Header = [.. Enumerable.Range(0xA0, HeaderSize).Select(i => (byte)i)];
    private static readonly byte[] Frame = [.. Enumerable.Range(1, 60).Select(i => (byte)i)];

    [Theory]
    [InlineData(1)] // header and frame in one descriptor: the fast path
    [InlineData(2)] // header, then frame: the chain walk
    [InlineData(3)] // split inside the frame
    public void Gather_skips_the_header_and_copies_the_frame_whatever_the_chain(int descriptors)
    {
        using var memory = new GuestMemory(0x20_0000);
        var queue = ActiveQueue(memory);
        memory.Write(Buffers, [.. Header, .. Frame]);
        LayChain(memory, Split(HeaderSize + Frame.Length, descriptors), flags: 0);

        var destination = new byte[PacketBurstSlot];
        Assert.Equal(Frame.Length, queue.Gather(0, HeaderSize, destination));
        Assert.Equal(Frame, destination[..Frame.Length]);
    }

    [Theory]
    [InlineData(1, 2048)] // one buffer for header and frame: the fast path
    [InlineData(2, 2048)] // two buffers: the chain walk
    [InlineData(1, HeaderSize + 60)] // exactly large enough
    public void Scatter_writes_header_then_frame_whatever_the_chain(int descriptors, int bufferBytes)
    {
        using var memory = new GuestMemory(0x20_0000);
        var queue = ActiveQueue(memory);
        LayChain(memory, Split(bufferBytes, descriptors), Write);

        Assert.Equal(HeaderSize + Frame.Length, queue.Scatter(0, Header, Frame));
        Assert.Equal([.. Header, .. Frame], memory.Slice(Buffers, HeaderSize + Frame.Length).ToArray());
    }

    [Fact]
    public void Scatter_into_a_buffer_too_small_reports_it_and_is_no_violation()
    {
        using var memory = new GuestMemory(0x20_0000);
        var queue = ActiveQueue(memory);
        LayChain(memory, [HeaderSize + Frame.Length - 1], Write);

        Assert.Equal(-2, queue.Scatter(0, Header, Frame));
    }

    public enum Corruption
    {
        OutsideRam,
        StraddlesRamEnd,
        LongerThan64KiB,
        IndirectFlag,
        WrongDirection,
        HeadPastTable,
        LoopsOnItself,
        ShorterThanHeader,
    }

    /// <summary>Every corruption on TX (Gather) and RX (Scatter); a short RX buffer is "too small" instead, tested above.</summary>
    public static TheoryData<Corruption, bool> Corruptions()
    {
        var data = new TheoryData<Corruption, bool>();
        foreach (var corruption in Enum.GetValues<Corruption>())
        {
            data.Add(corruption, false);
            if (corruption != Corruption.ShorterThanHeader)
            {
                data.Add(corruption, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_descriptor_that_breaks_a_rule_is_malformed_on_both_queues(Corruption corruption, bool receive)
    {
        using var memory = new GuestMemory(0x20_0000);
        var queue = ActiveQueue(memory);
        var direction = receive ? Write : (ushort)0;
        LayChain(memory, [2048], direction);
        var head = (ushort)0;
        switch (corruption)
        {
            case Corruption.OutsideRam:
                memory.WriteUInt64(Descriptors, 0x7FFF_0000_0000ul);
                break;
            case Corruption.StraddlesRamEnd:
                memory.WriteUInt64(Descriptors, memory.Size - 16);
                break;
            case Corruption.LongerThan64KiB:
                WriteDescriptor(memory, 0, Buffers, 64 * 1024 + 1, direction, 0);
                break;
            case Corruption.IndirectFlag:
                WriteDescriptor(memory, 0, Buffers, 2048, (ushort)(direction | Indirect), 0);
                break;
            case Corruption.WrongDirection:
                WriteDescriptor(memory, 0, Buffers, 2048, (ushort)(direction ^ Write), 0);
                break;
            case Corruption.HeadPastTable:
                head = QueueSize;
                break;
            case Corruption.LoopsOnItself:
                WriteDescriptor(memory, 0, Buffers, 1, (ushort)(direction | Next), 0);
                break;
            case Corruption.ShorterThanHeader:
                WriteDescriptor(memory, 0, Buffers, HeaderSize - 1, direction, 0);
                break;
        }

        var result = receive ? queue.Scatter(head, Header, Frame) : queue.Gather(head, HeaderSize, new byte[PacketBurstSlot]);
        Assert.Equal(-1, result);
    }

    private static SplitQueue ActiveQueue(GuestMemory memory)
    {
        var queue = new SplitQueue(QueueSize)
        {
            DescriptorTableAddress = Descriptors,
            AvailRingAddress = Avail,
            UsedRingAddress = Used,
            Ready = true,
        };
        Assert.True(queue.Activate(memory, eventIdx: true));
        return queue;
    }

    /// <summary>Lengths of <paramref name="parts"/> descriptors that together cover <paramref name="total"/> bytes.</summary>
    private static int[] Split(int total, int parts)
    {
        var lengths = new int[parts];
        for (var i = 0; i < parts; i++)
        {
            lengths[i] = i < parts - 1 ? (i == 0 ? HeaderSize : 7) : total - lengths.Sum();
        }

        return lengths;
    }

    /// <summary>Lays descriptors 0, 1, … over consecutive bytes from <see cref="Buffers"/>, chained with NEXT.</summary>
    private static void LayChain(GuestMemory memory, int[] lengths, ushort flags)
    {
        var address = Buffers;
        for (var i = 0; i < lengths.Length; i++)
        {
            var last = i == lengths.Length - 1;
            WriteDescriptor(memory, i, address, (uint)lengths[i], (ushort)(flags | (last ? 0 : Next)), (ushort)(i + 1));
            address += (ulong)lengths[i];
        }
    }

    private static void WriteDescriptor(GuestMemory memory, int index, ulong address, uint length, ushort flags, ushort next)
    {
        var descriptor = Descriptors + (ulong)(16 * index);
        memory.WriteUInt64(descriptor, address);
        memory.WriteUInt64(descriptor + 8, length | ((ulong)flags << 32) | ((ulong)next << 48));
    }
}
