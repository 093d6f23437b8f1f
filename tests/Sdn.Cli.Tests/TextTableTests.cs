using Sdn.Cli.Commands;

namespace Sdn.Cli.Tests;

/// <summary>Scripts and tests read the tables by their columns: padded to the widest cell, two spaces apart, no trailing spaces.</summary>
public class TextTableTests
{
    [Fact]
    public void A_table_renders_as_it_always_has()
    {
        var text = TextTable.Render(
            ["VM", "EDGE", "NETWORK", "REASON"],
            [
                ["red1", "e1", "red.web", ""],
                ["blue10", "e2", "blue.db", "the agent of e2 is not connected"],
            ]);

        Assert.Equal(
            "VM      EDGE  NETWORK  REASON\n" +
            "red1    e1    red.web\n" +
            "blue10  e2    blue.db  the agent of e2 is not connected\n",
            text);
    }
}
