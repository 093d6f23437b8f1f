namespace Sdn.Cli.Output;

/// <summary>The last <see cref="ProgressReport"/> of a piece of work, reported on any thread and read by the display.</summary>
internal sealed class WorkProgress : IProgress<ProgressReport>
{
    private ProgressReport? _last;

    public ProgressReport? Last => Volatile.Read(ref _last);

    public void Report(ProgressReport value) => Volatile.Write(ref _last, value);
}
