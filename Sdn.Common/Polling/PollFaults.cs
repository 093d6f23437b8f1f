namespace Sdn.Common.Polling;

/// <summary>
/// What a forwarding thread does with an exception one of its rounds threw: an exception that escaped the thread
/// would end the whole process, so the thread counts it, logs it, and polls on. A fault that repeats every round
/// (a device gone bad) is logged at once, then at most once a second with how many came in between.
/// </summary>
public sealed class PollFaults
{
    private readonly string _thread;
    private readonly Action<string> _log;
    private readonly TimeProvider _time;
    private long _nextLine;
    private long _unlogged;
    private long _count;

    /// <param name="thread">What polls, for the log: "edge e1", "core c1".</param>
    /// <param name="log">Takes one line per logged fault; standard error by default.</param>
    public PollFaults(string thread, Action<string>? log = null, TimeProvider? time = null)
    {
        _thread = thread;
        _log = log ?? Console.Error.WriteLine;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many rounds failed.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Takes the exception a round threw; call it on the polling thread only.</summary>
    public void Take(Exception fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        Interlocked.Increment(ref _count);
        var now = _time.GetTimestamp();
        if (now < _nextLine)
        {
            _unlogged++;
            return;
        }

        var since = _unlogged > 0 ? $" ({_unlogged} more since the last line)" : string.Empty;
        _log($"{_thread}: a polling round failed: {fault.GetType().Name}: {fault.Message}{since}; polling goes on".ReplaceLineEndings(" "));
        _unlogged = 0;
        _nextLine = now + _time.TimestampFrequency;
    }
}
