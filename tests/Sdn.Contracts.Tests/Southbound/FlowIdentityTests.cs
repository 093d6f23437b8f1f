using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

public class FlowIdentityTests
{
    [Fact]
    public void Names_table_priority_and_each_field_with_its_value_and_mask_in_hex()
    {
        var entry = Entry(3, 100, Match(Field.Metadata, [0, 0, 0, 1], [0, 0, 0xFF, 0xFF]), Match(Field.EthDst, [2, 0, 0, 0, 0, 0xAB], []));

        Assert.Equal($"003/00100/{(int)Field.Metadata}=00000001&0000FFFF/{(int)Field.EthDst}=0200000000AB&", FlowIdentity.Of(entry).ToString());
    }

    [Fact]
    public void Fields_listed_in_another_order_name_the_same_entry()
    {
        var metadata = Match(Field.Metadata, [1], [1]);
        var ethDst = Match(Field.EthDst, [2, 0, 0, 0, 0, 1], []);

        Assert.Equal(FlowIdentity.Of(Entry(0, 7, metadata, ethDst)), FlowIdentity.Of(Entry(0, 7, ethDst, metadata)));
        Assert.Equal(FlowIdentity.Of(Entry(0, 7, metadata, ethDst)).GetHashCode(), FlowIdentity.Of(Entry(0, 7, ethDst, metadata)).GetHashCode());
    }

    [Fact]
    public void Entries_that_differ_in_a_value_or_mask_byte_or_a_field_are_different_flows()
    {
        var entry = FlowIdentity.Of(Entry(0, 7, Match(Field.Metadata, [1], [1])));

        Assert.NotEqual(entry, FlowIdentity.Of(Entry(0, 7, Match(Field.Metadata, [1], [3]))));
        Assert.NotEqual(entry, FlowIdentity.Of(Entry(0, 7, Match(Field.Metadata, [1, 1], []))));
        Assert.NotEqual(entry, FlowIdentity.Of(Entry(0, 7, Match(Field.Reg0, [1], [1]))));
        Assert.NotEqual(entry, FlowIdentity.Of(Entry(0, 7, Match(Field.Metadata, [1], [1]), Match(Field.Reg0, [1], [1]))));
        Assert.NotEqual(entry, FlowIdentity.Of(Entry(0, 8, Match(Field.Metadata, [1], [1]))));
    }

    [Fact]
    public void Identities_order_by_table_then_priority_then_field_by_field()
    {
        var ordered = new[]
        {
            Entry(0, 9, Match(Field.EthDst, [9], [])),
            Entry(1, 2),
            Entry(1, 2, Match(Field.Metadata, [1], [])),
            Entry(1, 2, Match(Field.Metadata, [1], []), Match(Field.EthDst, [0], [])),
            Entry(1, 2, Match(Field.Metadata, [2], [])),
            Entry(1, 2, Match(Field.EthDst, [0], [])),
            Entry(1, 3),
        }.Select(FlowIdentity.Of).ToList();

        Assert.Equal(ordered, ordered.AsEnumerable().Reverse().Order());
    }

    [Fact]
    public void A_match_too_long_for_stack_space_is_named_whole()
    {
        var fields = Enumerable.Range(0, 20).Select(i => Match(Field.Reg0 + (i % 8), [.. Enumerable.Repeat((byte)i, 16)], [.. Enumerable.Repeat((byte)0xFF, 16)])).ToArray();

        var name = FlowIdentity.Of(Entry(1, 2, fields)).ToString();

        Assert.Equal(22, name.Split('/').Length);
        Assert.EndsWith(new string('F', 32), name, StringComparison.Ordinal);
    }

    private static FieldMatch Match(Field field, byte[] value, byte[] mask) =>
        new() { Field = field, Value = ByteString.CopyFrom(value), Mask = ByteString.CopyFrom(mask) };

    private static FlowEntry Entry(uint table, uint priority, params FieldMatch[] match)
    {
        var entry = new FlowEntry { TableId = table, Priority = priority };
        entry.Match.AddRange(match);
        return entry;
    }
}
