using System.Diagnostics;
using System.Globalization;

namespace Sdn.Benchmarks.Density;

/// <summary>The whole process's CPU time, threads and resident memory, as Linux's /proc reports them.</summary>
internal static class ProcessFigures
{
    /// <summary>User and system CPU time of every thread so far: utime + stime of /proc/self/stat, which .NET reads here.</summary>
    public static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The threads alive now: the entries of /proc/self/task.</summary>
    public static int Threads() => Directory.GetDirectories("/proc/self/task").Length;

    /// <summary>The resident set size, VmRSS of /proc/self/status, in MiB.</summary>
    public static double ResidentMib()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib / 1024.0;
    }
}
