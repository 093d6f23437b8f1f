using System.Runtime.InteropServices;

namespace Sdn.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (CLOCK_THREAD_CPUTIME_ID) or by the whole process, every thread and the
/// GC's included (CLOCK_PROCESS_CPUTIME_ID), to the nanosecond: /proc's figures count in 10 ms ticks. On a shared
/// machine a thread may get a fraction of a core, so rates per CPU-second show the code's cost apart from the
/// scheduler's share.
/// </summary>
internal static partial class CpuClock
{
    private const int ProcessCpuTimeClock = 2;
    private const int ThreadCpuTimeClock = 3;

    public static double ThreadSeconds() => Seconds(ThreadCpuTimeClock);

    public static double ProcessSeconds() => Seconds(ProcessCpuTimeClock);

    private static double Seconds(int clock)
    {
        ClockGetTime(clock, out var time);
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
