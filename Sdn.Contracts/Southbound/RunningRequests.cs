namespace Sdn.Contracts.Southbound;

/// <summary>
/// What an agent runs for the controller under a request id (captures, mirrors, pings), so that a stop, or the
/// end of the stream they were asked on, ends them. A capture of several ports is several parts under one id.
/// </summary>
/// <remarks>Stopping disposes every part even when one throws; what each threw is returned for the agent to report.</remarks>
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

    /// <summary>Stops request <paramref name="id"/>; returns what its parts threw.</summary>
    public IReadOnlyList<(ulong Id, Exception Error)> Stop(ulong id)
    {
        List<IDisposable>? parts;
        lock (_gate)
        {
            _running.Remove(id, out parts);
        }

        return Dispose(parts?.Select(p => (id, p)) ?? []);
    }

    /// <summary>Stops every request; returns what their parts threw.</summary>
    public IReadOnlyList<(ulong Id, Exception Error)> StopAll()
    {
        List<(ulong, IDisposable)> parts;
        lock (_gate)
        {
            parts = [.. _running.SelectMany(r => r.Value.Select(p => (r.Key, p)))];
            _running.Clear();
        }

        return Dispose(parts);
    }

    private static List<(ulong Id, Exception Error)> Dispose(IEnumerable<(ulong Id, IDisposable Part)> parts)
    {
        var failures = new List<(ulong, Exception)>();
        foreach (var (id, part) in parts)
        {
            try
            {
                part.Dispose();
            }
            catch (Exception e)
            {
                failures.Add((id, e));
            }
        }

        return failures;
    }
}
