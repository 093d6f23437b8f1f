using Spectre.Console;

namespace Sdn.Cli.Output;

/// <summary>
/// A command's standard output, and whether a person watches it: a terminal gets a progress display for work that
/// takes a while; anything else (a pipe, a file, a test's writer) gets only the plain lines, which scripts and tests read.
/// </summary>
/// <remarks>
/// On a terminal every line goes through the same <see cref="IAnsiConsole"/> as the progress display, which prints it
/// above the display instead of through it.
/// </remarks>
internal sealed class Terminal
{
    /// <summary>How long work runs before a progress display appears: shorter work only flickers.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    private readonly TextWriter _output;
    private readonly IAnsiConsole? _console;
    private readonly TimeSpan _delay;

    public Terminal(TextWriter output, bool interactive, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _delay = delay;
        if (interactive)
        {
            _console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
                Out = new AnsiConsoleOutput(output),
            });
        }
    }

    public bool IsInteractive => _console is not null;

    /// <summary>
    /// The one place that decides: interactive when <paramref name="output"/> is the process's standard output and
    /// that is a terminal (not redirected, and TERM is not "dumb").
    /// </summary>
    public static Terminal Of(TextWriter output) => new(
        output,
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb",
        DefaultDelay);

    public void WriteLine(string line)
    {
        if (_console is null)
        {
            _output.WriteLine(line);
        }
        else
        {
            _console.WriteLine(line);
        }
    }

    /// <summary>
    /// Awaits <paramref name="work"/>; on a terminal, once it has run for the delay, shows what <paramref name="progress"/>
    /// last reported until it ends. Whatever the work throws comes out here, after the display is gone.
    /// </summary>
    public async Task<T> ShowProgressAsync<T>(WorkProgress progress, Task<T> work)
    {
        await ShowProgressAsync(progress, (Task)work).ConfigureAwait(false);
        return await work.ConfigureAwait(false);
    }

    /// <inheritdoc cref="ShowProgressAsync{T}"/>
    public async Task ShowProgressAsync(WorkProgress progress, Task work)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(work);
        if (_console is not null && await Task.WhenAny(work, Task.Delay(_delay)).ConfigureAwait(false) != work)
        {
            await _console.Progress()
                .AutoClear(true)
                .Columns(new SpinnerColumn(), new ProgressBarColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var shown = context.AddTask("starting");
                    while (!work.IsCompleted)
                    {
                        Show(shown, progress.Last);
                        await Task.WhenAny(work, Task.Delay(100)).ConfigureAwait(false);
                    }

                    Show(shown, progress.Last);
                }).ConfigureAwait(false);
        }

        await work.ConfigureAwait(false);
    }

    private static void Show(ProgressTask shown, ProgressReport? report)
    {
        if (report is null)
        {
            return;
        }

        shown.IsIndeterminate = report.Total == 0;
        shown.MaxValue = Math.Max(report.Total, 1);
        shown.Value = report.Done;
        var counted = report.Total == 0 ? $"{report.Done}" : $"{report.Done}/{report.Total}";
        var waiting = report.WaitingFor.Length == 0 ? string.Empty : $": {report.WaitingFor}";
        shown.Description = Markup.Escape($"{report.Stage} {counted}{waiting}");
    }
}
