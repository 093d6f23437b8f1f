using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class InternetChecksumTests
{
    [Fact]
    public void Matches_the_worked_example_of_rfc_1071()
    {
        // RFC 1071 §3: these bytes sum to 0xDDF2, so the checksum is its complement.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0xDDF2, InternetChecksum.Fold(InternetChecksum.Add(0, data)));
        Assert.Equal(0x220D, InternetChecksum.Compute(data));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1499)]
    public void Equals_the_plain_sum_of_16_bit_words_at_any_length(int length)
    {
        var data = RandomBytes(new Random(length), length);
        uint sum = 0;
        for (var i = 0; i < length; i += 2)
        {
            sum += (uint)(data[i] << 8 | (i + 1 < length ? data[i + 1] : 0));
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        Assert.Equal((ushort)~sum, InternetChecksum.Compute(data));
    }

    [Fact]
    public void A_stored_checksum_verifies_and_a_flipped_bit_does_not()
    {
        var data = RandomBytes(new Random(1), 64);
        InternetChecksum.Store(data, checksumOffset: 10, sum: 12345);

        Assert.True(InternetChecksum.Verify(data, 12345));
        data[33] ^= 0x10;
        Assert.False(InternetChecksum.Verify(data, 12345));
    }

    [Fact]
    public void Incremental_update_of_a_16_bit_word_equals_full_recomputation()
    {
        var random = new Random(1624);
        for (var round = 0; round < 2000; round++)
        {
            var data = RandomBytes(random, 2 * random.Next(2, 40));
            var checksumOffset = 2 * random.Next(data.Length / 2);
            var fieldOffset = (checksumOffset + 2 * random.Next(1, data.Length / 2)) % data.Length;
            var before = InternetChecksum.Store(data, checksumOffset);

            var oldValue = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(fieldOffset));
            var newValue = (ushort)(round < 50 ? round : random.Next(0x10000)); // small values reach the 0/0xFFFF edges
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(fieldOffset), newValue);

            Assert.Equal(InternetChecksum.Store(data, checksumOffset), InternetChecksum.Update(before, oldValue, newValue));
        }
    }

    [Fact]
    public void Incremental_update_of_32_and_128_bit_fields_equals_full_recomputation()
    {
        var random = new Random(3);
        for (var round = 0; round < 1000; round++)
        {
            var data = RandomBytes(random, 40);
            var before = InternetChecksum.Store(data, 0);
            var old32 = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
            var old128 = BinaryPrimitives.ReadUInt128BigEndian(data.AsSpan(8));
            var new32 = (uint)random.NextInt64(0, 1L << 32);
            var new128 = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), new32);
            BinaryPrimitives.WriteUInt128BigEndian(data.AsSpan(8), new128);

            var incremental = InternetChecksum.Update(InternetChecksum.Update(before, old32, new32), old128, new128);
            Assert.Equal(InternetChecksum.Store(data, 0), incremental);
        }
    }

    [Fact]
    public void Decrementing_the_ttl_keeps_the_ipv4_header_checksum_valid()
    {
        var random = new Random(64);
        for (var ttl = 1; ttl <= 255; ttl++)
        {
            var frame = TestFrames.Build((ref FrameBuilder b) =>
                b.Ipv4((uint)random.NextInt64(0, 1L << 32), (uint)random.NextInt64(0, 1L << 32), IpProtocols.Udp, (byte)ttl, (ushort)random.Next(0x10000)));

            Assert.Equal(ttl - 1, Ipv4Header.DecrementTtl(frame));
            Assert.Equal(ParseStatus.Ok, Ipv4Header.Parse(frame, out var header));
            Assert.True(header.IsChecksumValid);
        }

        var expired = TestFrames.Build((ref FrameBuilder b) => b.Ipv4(1, 2, IpProtocols.Udp, ttl: 0));
        Assert.Equal(0, Ipv4Header.DecrementTtl(expired));
        Assert.Equal(0, expired[Ipv4Header.TtlOffset]);
    }

    [Fact]
    public void Transport_checksums_written_by_the_builder_verify_with_their_pseudo_headers()
    {
        foreach (var frame in TestFrames.Catalogue().Where(f => f.Encapsulation == Encapsulation.None))
        {
            Assert.True(FlowKeyExtractor.Extract(frame.Bytes, 1, out _, out var offsets).IsOk);
            var segment = frame.Bytes.AsSpan(offsets.Transport);
            var pseudo = PseudoHeaderSum(frame, segment.Length);
            var valid = frame.Transport switch
            {
                Transport.Tcp => TcpHeader.Parse(segment, out var tcp) == ParseStatus.Ok && tcp.IsChecksumValid(pseudo),
                Transport.Udp => UdpHeader.Parse(segment, out var udp) == ParseStatus.Ok && udp.Checksum != 0 && udp.IsChecksumValid(pseudo),
                _ => IcmpHeader.Parse(segment, out var icmp) == ParseStatus.Ok && icmp.IsChecksumValid(frame.IsIpv6 ? pseudo : 0),
            };
            Assert.True(valid, frame.Name);
        }
    }

    private static ulong PseudoHeaderSum(TestFrame frame, int length)
    {
        var protocol = frame.Transport switch
        {
            Transport.Tcp => IpProtocols.Tcp,
            Transport.Udp => IpProtocols.Udp,
            _ => frame.IsIpv6 ? IpProtocols.Icmpv6 : IpProtocols.Icmp,
        };
        return frame.IsIpv6
            ? InternetChecksum.PseudoHeaderSum(TestFrames.SourceIpv6, TestFrames.DestinationIpv6, protocol, length)
            : InternetChecksum.PseudoHeaderSum(TestFrames.SourceIpv4, TestFrames.DestinationIpv4, protocol, length);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
