namespace Sdn.Cli.Commands;

/// <summary>What ends a foreground `sdn up` or `sdn controller`: Ctrl-C or SIGTERM, or a client's Shutdown call (`sdn down`).</summary>
internal static class StopRequest
{
    /// <summary>Returns once <paramref name="signal"/> or <paramref name="shutdown"/> is cancelled.</summary>
    public static async Task WaitAsync(CancellationToken signal, CancellationToken shutdown)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(signal, shutdown);
        await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }
}
