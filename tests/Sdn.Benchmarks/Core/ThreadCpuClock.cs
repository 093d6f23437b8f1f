using System.Runtime.InteropServices;

namespace Sdn.Benchmarks.Core;

/// <summary>
/// CPU time consumed by the calling thread (CLOCK_THREAD_CPUTIME_ID). On a shared machine a thread may get a
/// fraction of a core, so rates per CPU-second show the code's cost apart from the scheduler's share.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeClock = 3;

    public static double Seconds()
    {
        ClockGetTime(ThreadCpuTimeClock, out var time);
        return time.Seconds + (time.Nanoseconds / 1e9);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
