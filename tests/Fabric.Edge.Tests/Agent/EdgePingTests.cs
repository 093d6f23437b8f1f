using System.Collections.Concurrent;
using System.Diagnostics;
using Sdn.Common.Capture;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Fabric.Edge.Tests.Agent;

/// <summary>`sdn ping` at the agent: the echo requests it injects, and the replies it catches on the source port's way out.</summary>
public class EdgePingTests
{
    private const byte ReplyTtl = 61;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Each_request_is_a_valid_echo_and_each_reply_is_reported_with_its_ttl(bool ipv6)
    {
        var tap = new CaptureTap();
        var echoes = new BlockingCollection<PingEcho>();
        var requests = new ConcurrentQueue<byte[]>();
        var start = new PingStart { PingId = 3, Port = "vm1", SourceMac = "02:00:00:00:00:01", DestinationMac = "02:00:00:00:00:02", Count = 2, IntervalMs = 10, TimeoutMs = 2000 };
        if (ipv6)
        {
            (start.SourceIpv6, start.DestinationIpv6) = ("fd00:1::11", "fd00:1::12");
        }
        else
        {
            (start.SourceIpv4, start.DestinationIpv4) = ("10.1.0.11", "10.1.0.12");
        }

        using var ping = EdgePing.Start(
            start,
            tap,
            burst =>
            {
                var request = burst.Frame(0).ToArray();
                requests.Enqueue(request);
                tap.Offer(EchoReply(request), CaptureDirection.Outbound);
            },
            message => echoes.Add(message.PingEcho),
            error => Assert.Fail(error.ToString()));

        var replies = new[] { Take(echoes), Take(echoes) }.OrderBy(e => e.Sequence).ToArray();

        Assert.Equal([1u, 2u], replies.Select(e => e.Sequence));
        Assert.All(replies, e => Assert.Equal((true, ReplyTtl, 64u), (e.Replied, (byte)e.Ttl, e.Bytes)));
        Assert.All(requests, r => AssertEchoRequest(r, ipv6));
    }

    [Fact]
    public void A_stalled_sender_resumes_its_schedule_instead_of_flooding_the_requests_it_owes()
    {
        const int Count = 40;
        var stall = TimeSpan.FromMilliseconds(300);
        var sentAt = new long[Count + 1];
        var injected = 0;
        var echoes = new BlockingCollection<PingEcho>();
        var start = new PingStart { PingId = 4, Port = "vm1", SourceMac = "02:00:00:00:00:01", DestinationMac = "02:00:00:00:00:02", SourceIpv4 = "10.1.0.11", DestinationIpv4 = "10.1.0.12", Count = Count, IntervalMs = 1, TimeoutMs = 10 };

        using var ping = EdgePing.Start(
            start,
            new CaptureTap(),
            _ =>
            {
                sentAt[++injected] = Stopwatch.GetTimestamp();
                if (injected == 5)
                {
                    Thread.Sleep(stall); // the sender falls 300 requests behind its schedule
                }
            },
            message => echoes.Add(message.PingEcho),
            error => Assert.Fail(error.ToString()));
        for (var i = 0; i < Count; i++)
        {
            Take(echoes);
        }

        // Catching up on all 300 would send the remaining 35 back to back; a new schedule spaces them by the interval.
        var afterStall = Stopwatch.GetElapsedTime(sentAt[6], sentAt[Count]);
        Assert.True(afterStall >= TimeSpan.FromMilliseconds(Count - 6 - 20), $"requests 6 to {Count} went out within {afterStall.TotalMilliseconds:F1} ms");
    }

    private static PingEcho Take(BlockingCollection<PingEcho> echoes) =>
        echoes.TryTake(out var echo, TimeSpan.FromSeconds(10)) ? echo : throw new TimeoutException("no echo reported");

    private static void AssertEchoRequest(byte[] frame, bool ipv6)
    {
        Assert.True(FlowKeyExtractor.Extract(frame, 0, out var key, out var offsets).IsOk);
        Assert.Equal(ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4, key.EthType);
        Assert.Equal(ipv6 ? IcmpHeader.Icmpv6EchoRequest : IcmpHeader.EchoRequest, key.IcmpType);
        Assert.Equal(ParseStatus.Ok, IcmpHeader.Parse(frame.AsSpan(offsets.Transport), out var icmp));
        var pseudoHeader = ipv6 ? InternetChecksum.PseudoHeaderSum(key.Ipv6Src, key.Ipv6Dst, IpProtocols.Icmpv6, frame.Length - offsets.Transport) : 0;
        Assert.True(icmp.IsChecksumValid(pseudoHeader));
        if (ipv6)
        {
            Assert.Equal(new UInt128(0xFD00_0001_0000_0000, 0x11), key.Ipv6Src);
            Assert.Equal(new UInt128(0xFD00_0001_0000_0000, 0x12), key.Ipv6Dst);
        }
    }

    /// <summary>The reply the destination would send, with the identifier, sequence number and data of the request.</summary>
    private static byte[] EchoReply(byte[] request)
    {
        FlowKeyExtractor.Extract(request, 0, out var key, out var offsets);
        IcmpHeader.Parse(request.AsSpan(offsets.Transport), out var icmp);
        var frame = new byte[request.Length];
        var builder = new FrameBuilder(frame);
        builder.Ethernet(key.EthSrc, key.EthDst, key.EthType);
        if (key.EthType == EtherTypes.Ipv6)
        {
            builder.Ipv6(key.Ipv6Dst, key.Ipv6Src, IpProtocols.Icmpv6, ReplyTtl);
            builder.IcmpEcho(IcmpHeader.Icmpv6EchoReply, icmp.Identifier, icmp.SequenceNumber);
        }
        else
        {
            builder.Ipv4(key.Ipv4Dst, key.Ipv4Src, IpProtocols.Icmp, ReplyTtl);
            builder.IcmpEcho(IcmpHeader.EchoReply, icmp.Identifier, icmp.SequenceNumber);
        }

        builder.Payload(icmp.Payload);
        Assert.True(builder.TryFinish(out _));
        return frame;
    }
}
