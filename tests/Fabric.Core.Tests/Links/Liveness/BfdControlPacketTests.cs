using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Tests.Links.Liveness;

public class BfdControlPacketTests
{
    private static readonly BfdControlPacket Sample =
        new(LivenessState.Init, LivenessDiagnostic.ControlDetectionTimeExpired, 3, 0x01020304, 0x0A0B0C0D, 10_000, 20_000);

    [Fact]
    public void Round_trips_through_the_RFC_5880_layout()
    {
        var bytes = new byte[BfdControlPacket.Size];
        Sample.Write(bytes);

        Assert.Equal([0x21, 0x80, 3, 24, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D], bytes[..12]);
        Assert.True(BfdControlPacket.TryRead(bytes, out var read));
        Assert.Equal(Sample, read);
    }

    [Theory]
    [InlineData(0, 0x41)] // version 2
    [InlineData(2, 0)] // detect multiplier 0
    [InlineData(3, 30)] // length beyond the packet
    [InlineData(1, 0x84)] // authentication present
    [InlineData(4, 0)] // my discriminator 0 (with the next three bytes cleared below)
    public void Invalid_packets_are_refused(int offset, byte value)
    {
        var bytes = new byte[BfdControlPacket.Size];
        Sample.Write(bytes);
        bytes[offset] = value;
        if (offset == 4)
        {
            bytes.AsSpan(4, 4).Clear();
        }

        Assert.False(BfdControlPacket.TryRead(bytes, out _));
        Assert.False(BfdControlPacket.TryRead(bytes.AsSpan(0, 23), out _));
    }
}
