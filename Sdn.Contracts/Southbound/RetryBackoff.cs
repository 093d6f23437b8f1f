namespace Sdn.Contracts.Southbound;

/// <summary>
/// Exponential backoff: the first delay, then twice the previous wait after each attempt in a row that failed, up
/// to a cap; <see cref="Reset"/> after a success starts over. An agent waits so before it tries the controller
/// again, and the controller before it sends full state again to a node that refused it.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time.</remarks>
public sealed class RetryBackoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _cap;
    private TimeSpan _next;

    public RetryBackoff(TimeSpan first, TimeSpan cap)
    {
        _first = first;
        _cap = cap > first ? cap : first;
        _next = first;
    }

    /// <summary>The wait before the next attempt; each call doubles the one after, up to the cap.</summary>
    public TimeSpan Next()
    {
        var wait = _next;
        _next = wait * 2 < _cap ? wait * 2 : _cap;
        return wait;
    }

    /// <summary>The next wait is the first delay again.</summary>
    public void Reset() => _next = _first;
}
