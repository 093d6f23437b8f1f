using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

/// <summary>ct_state as `sdn trace --ct-state` and TraceRequest.ct_state take it, and as traces print it.</summary>
public class CtStateTextTests
{
    [Theory]
    [InlineData("new", 0x21u)]
    [InlineData("est|rpl", 0x2Au)]
    [InlineData("+trk+rel", 0x24u)]
    [InlineData("INV", 0x30u)]
    public void A_state_a_lookup_can_give_parses_with_trk_implied(string text, uint bits)
    {
        Assert.True(CtStateText.TryParse(text, out var parsed, out _));
        Assert.Equal(bits, parsed);
    }

    [Theory]
    [InlineData("est|new", "not what a lookup gives")]
    [InlineData("established", "'established' is no ct_state flag")]
    [InlineData("", "not what a lookup gives")]
    public void Anything_else_is_refused_with_what_to_write(string text, string error)
    {
        Assert.False(CtStateText.TryParse(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bits_are_written_as_flag_names()
    {
        Assert.Equal("trk|est|rpl", CtStateText.Format(0x2A));
        Assert.Equal("-trk", CtStateText.Format(0));
    }
}
