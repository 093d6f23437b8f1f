using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class MplsLabelStackEntryTests
{
    [Fact]
    public void Round_trips_every_field_through_the_wire_encoding()
    {
        var entry = new MplsLabelStackEntry(Label: 0xABCDE, TrafficClass: 5, BottomOfStack: true, Ttl: 63);
        var bytes = new byte[4];

        Assert.True(entry.TryWrite(bytes));
        Assert.Equal([0xAB, 0xCD, 0xEB, 63], bytes);
        Assert.True(MplsLabelStackEntry.TryRead(bytes, out var read));
        Assert.Equal(entry, read);
    }

    [Fact]
    public void Truncated_input_is_reported_not_thrown()
    {
        Assert.False(MplsLabelStackEntry.TryRead([1, 2, 3], out _));
        Assert.False(new MplsLabelStackEntry(16, 0, true, 1).TryWrite(new byte[3]));
    }
}
