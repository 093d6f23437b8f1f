using Sdn.Fabric.Core.Lsr;

namespace Sdn.Fabric.Core.Tests.Lsr;

public class LfibTests
{
    [Theory]
    [InlineData(15u, 200u, "reserved")]
    [InlineData(0x100000u, 200u, "reserved or too large")]
    [InlineData(100u, 3u, "implicit null")]
    public void Bad_entries_are_refused_with_a_message_that_says_why(uint inLabel, uint outLabel, string reason)
    {
        var error = Assert.Throws<LsrException>(() => new Lfib(1, [LabelRoute.Swap(inLabel, new LabelNextHop(0, outLabel))]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_in_labels_missing_next_hops_and_negative_ports_are_refused()
    {
        Assert.Throws<LsrException>(() => new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(0, 200)), LabelRoute.Swap(100, new LabelNextHop(1, 300))]));
        Assert.Throws<LsrException>(() => new Lfib(1, [new LabelRoute(100, LabelAction.Swap, [])]));
        Assert.Throws<LsrException>(() => new Lfib(1, [LabelRoute.Swap(100, new LabelNextHop(0, 200), backup: new LabelNextHop(-1, 300))]));
    }

    [Fact]
    public void Every_label_of_a_large_table_is_found_and_no_other()
    {
        var labels = Enumerable.Range(0, 5000).Select(i => 16u + ((uint)i * 37)).ToHashSet();
        var lfib = new Lfib(1, labels.Select(l => LabelRoute.Swap(l, new LabelNextHop((int)(l % 4), l + 1))));

        for (var label = 16u; label < 16 + (5000 * 37); label++)
        {
            Assert.Equal(labels.Contains(label), lfib.TryFind(label, out var row));
            if (labels.Contains(label))
            {
                Assert.Equal(label + 1, lfib.Hop(lfib.Entry(row).FirstHop).OutLabel);
            }
        }

        Assert.Equal(3, lfib.MaxPort);
    }
}
