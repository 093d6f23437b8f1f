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

    /// <summary>
    /// The threads KVM made in this process: one <c>kvm-nx-lpage-recovery</c> per VM (its name cut to 15 characters
    /// in /proc), which it starts at the VM's first KVM_RUN unless the host set kvm.nx_huge_pages=never.
    /// </summary>
    public static int KvmThreads() => Directory.GetDirectories("/proc/self/task").Count(task => ReadName(task).StartsWith("kvm-nx-lpage", StringComparison.Ordinal));

    /// <summary>A thread's name, or empty when it ended between the listing and the reading.</summary>
    private static string ReadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm"));
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return "";
        }
    }

    /// <summary>The resident set size, VmRSS of /proc/self/status, in MiB.</summary>
    public static double ResidentMib()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib / 1024.0;
    }
}
