namespace Sdn.Contracts.Southbound;

/// <summary>
/// What an agent runs for the controller under a request id (captures, mirrors, pings), so that a stop, or the
/// end of the stream they were asked on, ends them. A capture of several ports is several parts under one id.
/// </summary>
internal sealed class RunningRequests
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, List<IDisposable>> _running = [];

    public void Add(ulong id, IDisposable part)
    {
        lock (_gate)
        {
            if (!_running.TryGetValue(id, out var parts))
            {
                _running[id] = parts = [];
            }

            parts.Add(part);
        }
    }

    public void Stop(ulong id)
    {
        List<IDisposable>? parts;
        lock (_gate)
        {
            _running.Remove(id, out parts);
        }

        parts?.ForEach(p => p.Dispose());
    }

    public void StopAll()
    {
        List<IDisposable> parts;
        lock (_gate)
        {
            parts = [.. _running.Values.SelectMany(p => p)];
            _running.Clear();
        }

        parts.ForEach(p => p.Dispose());
    }
}
