namespace Sdn.Cli.Hosting;

/// <summary>
/// What has been started, as the steps that undo it: each is pushed right after its thing exists, and
/// disposing runs them newest first and runs every one even when an earlier one fails, so a bring-up that
/// fails half-way leaves nothing behind (no VM, thread, TAP device or namespace).
/// </summary>
internal sealed class TeardownStack : IAsyncDisposable
{
    private readonly Stack<Func<ValueTask>> _undo = new();

    public void Push(Action step) => _undo.Push(() =>
    {
        step();
        return ValueTask.CompletedTask;
    });

    public void Push(Func<ValueTask> step) => _undo.Push(step);

    /// <summary>Takes ownership of <paramref name="item"/> and returns it.</summary>
    public T Own<T>(T item)
        where T : IDisposable
    {
        Push(item.Dispose);
        return item;
    }

    /// <exception cref="AggregateException">One or more steps failed; every step ran all the same.</exception>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        while (_undo.TryPop(out var step))
        {
            try
            {
                await step().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Teardown must go on past any one failure; every failure is rethrown together below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // A step that is a teardown of its own reports each of its failures.
                failures.AddRange(e is AggregateException parts ? parts.Flatten().InnerExceptions : [e]);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("tearing the fabric down failed in part", failures);
        }
    }
}
