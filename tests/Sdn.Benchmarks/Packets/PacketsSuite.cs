using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Common.Packets;

namespace Sdn.Benchmarks.Packets;

/// <summary>
/// Flow-key extraction over a burst of mixed frames, against a baseline loop that only touches each frame's
/// length and first 64 bytes, so the ratio says what parsing costs beyond bringing the frame in.
/// </summary>
internal sealed class PacketsSuite : IBenchmarkSuite
{
    public string Name => "packets";

    public string Description => "flow-key extraction over an IPv4/IPv6, TCP/UDP, VLAN, MPLS mix, against a read-only baseline";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        var burst = MixedBurst();
        var round = options.Quick ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(400);
        var rounds = options.Quick ? 3 : 7;

        // Interleave the two loops and keep each one's best round: the machine is shared, and the best
        // round is the one least disturbed by neighbours.
        // A first, unreported round of each lets tiered compilation reach its optimized code.
        Measure<ExtractFlowKey>(burst, round);
        Measure<ReadFirst64Bytes>(burst, round);
        double flowKeyMpps = 0, baselineMpps = 0, allocatedPerPacket = 0;
        for (var i = 0; i < rounds; i++)
        {
            var (mpps, allocated) = Measure<ExtractFlowKey>(burst, round);
            flowKeyMpps = Math.Max(flowKeyMpps, mpps);
            allocatedPerPacket = Math.Max(allocatedPerPacket, allocated);
            baselineMpps = Math.Max(baselineMpps, Measure<ReadFirst64Bytes>(burst, round).Mpps);
        }

        return
        [
            new("flowkey_mpps", flowKeyMpps),
            new("baseline_mpps", baselineMpps),
            new("flowkey_ratio", flowKeyMpps / baselineMpps),
            new("flowkey_allocated_bytes_per_packet", allocatedPerPacket),
            new("frames_in_mix", burst.Count),
        ];
    }

    private static (double Mpps, double AllocatedBytesPerPacket) Measure<TWork>(PacketBurst burst, TimeSpan duration)
        where TWork : struct, IFrameWork
    {
        var work = default(TWork);
        ulong sink = 0;
        long packets = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            for (var repeat = 0; repeat < 256; repeat++)
            {
                for (var i = 0; i < burst.Count; i++)
                {
                    sink += work.Process(burst.Frame(i));
                }
            }

            packets += 256L * burst.Count;
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(sink);
        return (packets / elapsed.TotalSeconds / 1e6, (double)allocated / packets);
    }

    /// <summary>A full burst cycling through the frame shapes an edge sees: plain, tagged and labelled, v4 and v6.</summary>
    private static PacketBurst MixedBurst()
    {
        var burst = new PacketBurst();
        var payload = new byte[64];
        MixedFrame[] mix =
        [
            new(Tag: false, Mpls: false, Ipv6: false, Tcp: true),
            new(Tag: false, Mpls: false, Ipv6: false, Tcp: false),
            new(Tag: false, Mpls: false, Ipv6: true, Tcp: true),
            new(Tag: false, Mpls: false, Ipv6: true, Tcp: false),
            new(Tag: true, Mpls: false, Ipv6: false, Tcp: true),
            new(Tag: true, Mpls: false, Ipv6: true, Tcp: false),
            new(Tag: false, Mpls: true, Ipv6: false, Tcp: false),
            new(Tag: false, Mpls: true, Ipv6: true, Tcp: true),
        ];
        for (var i = 0; !burst.IsFull; i++)
        {
            var shape = mix[i % mix.Length];
            var builder = new FrameBuilder(burst.Append(PacketBurst.MaxFrameLength));
            shape.Compose(ref builder, (ushort)i, payload);
            if (!builder.TryFinish(out var length) || !burst.TrySetLength(burst.Count - 1, length))
            {
                throw new InvalidOperationException("a benchmark frame does not fit its slot");
            }
        }

        return burst;
    }

    private readonly record struct MixedFrame(bool Tag, bool Mpls, bool Ipv6, bool Tcp)
    {
        public void Compose(ref FrameBuilder b, ushort flow, ReadOnlySpan<byte> payload)
        {
            var etherType = Ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4;
            b.Ethernet(0x02_00_00_00_00_02, 0x02_00_00_00_00_01, Tag ? EtherTypes.Vlan : Mpls ? EtherTypes.MplsUnicast : etherType);
            if (Tag)
            {
                b.Vlan(VlanTag.MakeTci(100), etherType);
            }

            if (Mpls)
            {
                b.Mpls([new MplsLabelStackEntry(1000, 0, false, 64), new MplsLabelStackEntry(2000u + flow, 0, true, 64)]);
            }

            var protocol = Tcp ? IpProtocols.Tcp : IpProtocols.Udp;
            if (Ipv6)
            {
                b.Ipv6(new UInt128(0x2001_0DB8, flow), new UInt128(0x2001_0DB8, 1), protocol);
            }
            else
            {
                b.Ipv4(0x0A00_0000u + flow, 0x0A01_0001, protocol);
            }

            if (Tcp)
            {
                b.Tcp((ushort)(10000 + flow), 80, 1, 0, TcpHeader.Ack);
            }
            else
            {
                b.Udp((ushort)(10000 + flow), 53);
            }

            b.Payload(payload);
        }
    }

    private interface IFrameWork
    {
        ulong Process(ReadOnlySpan<byte> frame);
    }

    private struct ExtractFlowKey : IFrameWork
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly ulong Process(ReadOnlySpan<byte> frame)
        {
            var result = FlowKeyExtractor.Extract(frame, 1, out var key, out var offsets);
            return key.ReadOnlyWords[13] + (ulong)offsets.Payload + (ulong)result.Layer;
        }
    }

    private struct ReadFirst64Bytes : IFrameWork
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly ulong Process(ReadOnlySpan<byte> frame)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(frame[..64]);
            return (ulong)frame.Length + (words[0] ^ words[1] ^ words[2] ^ words[3] ^ words[4] ^ words[5] ^ words[6] ^ words[7]);
        }
    }
}
