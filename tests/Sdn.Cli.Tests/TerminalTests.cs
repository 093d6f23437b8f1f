using Sdn.Cli.Output;

namespace Sdn.Cli.Tests;

/// <summary>Work that takes a while shows a progress display on a terminal only; anywhere else only the plain lines come out.</summary>
public class TerminalTests
{
    [Fact]
    public void A_writer_other_than_a_terminal_standard_output_is_not_interactive()
    {
        Assert.False(Terminal.Of(new StringWriter()).IsInteractive);
    }

    [Fact]
    public async Task Without_a_terminal_only_the_plain_lines_come_out()
    {
        var output = new StringWriter();
        var terminal = new Terminal(output, interactive: false, TimeSpan.Zero);

        terminal.WriteLine("sdn up: nodes: every node programmed");
        var result = await terminal.ShowProgressAsync(Applying(), SlowAsync());

        Assert.Equal(42, result);
        Assert.Equal("sdn up: nodes: every node programmed\n", output.ToString());
    }

    [Fact]
    public async Task On_a_terminal_slow_work_shows_what_is_done_and_what_it_waits_for()
    {
        var output = new StringWriter();
        var terminal = new Terminal(output, interactive: true, TimeSpan.Zero);

        var result = await terminal.ShowProgressAsync(Applying(), SlowAsync());

        Assert.Equal(42, result);
        Assert.Contains("applying 1/3: create vm red1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\e[", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_work_quicker_than_the_delay_shows_nothing()
    {
        var output = new StringWriter();
        var terminal = new Terminal(output, interactive: true, TimeSpan.FromSeconds(30));

        Assert.Equal(7, await terminal.ShowProgressAsync(Applying(), Task.FromResult(7)));
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task What_the_work_throws_comes_out_once_the_display_is_gone()
    {
        var terminal = new Terminal(new StringWriter(), interactive: true, TimeSpan.Zero);

        await Assert.ThrowsAsync<InvalidOperationException>(() => terminal.ShowProgressAsync(Applying(), FailAsync()));
    }

    private static WorkProgress Applying()
    {
        var progress = new WorkProgress();
        progress.Report(new ProgressReport("applying", 1, 3, "create vm red1"));
        return progress;
    }

    private static async Task<int> SlowAsync()
    {
        await Task.Delay(300);
        return 42;
    }

    private static async Task<int> FailAsync()
    {
        await Task.Delay(200);
        throw new InvalidOperationException("refused");
    }
}
