namespace Sdn.Cli.Output;

/// <summary>Where a long piece of work stands: its stage, how much of it is done, and what it waits for now.</summary>
/// <param name="Total">How much there is to do; 0 when nobody knows (a capture until Ctrl-C).</param>
internal sealed record ProgressReport(string Stage, long Done, long Total, string WaitingFor = "");
