using System.Net;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using Xunit.Abstractions;

namespace Sdn.Vmm.Tests.Machine;

[Collection(ProcessWideMeasurements.Name)]
public class LifecycleLeakTests(ITestOutputHelper output)
{
    [KvmFact]
    public void Fifty_vms_created_booted_and_destroyed_leak_neither_fds_threads_nor_memory()
    {
        var echo = MicroGuest.Build(GuestApp.Echo);
        RunOne(echo); // warm up: JIT, the KVM handle, the kick signal, thread pool
        var (fds, threads, rss) = Measure();

        for (var i = 0; i < 50; i++)
        {
            RunOne(echo);
        }

        var (fdsAfter, threadsAfter, rssAfter) = Measure();
        output.WriteLine($"fds {fds}->{fdsAfter} threads {threads}->{threadsAfter} rss {rss >> 10}->{rssAfter >> 10} KiB");
        Assert.Equal(fds, fdsAfter);
        Assert.InRange(threadsAfter, 0, threads + 2); // the runtime may grow its own pools a little
        Assert.InRange(rssAfter - rss, long.MinValue, 16L << 20); // one leaked guest RAM per VM would be 50 x 1+ MiB
    }

    private static void RunOne(GuestImage echo)
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "churn" });
        vm.AddNic(new NicInfo(NicInfo.LocalMac(3), IPAddress.Parse("10.0.0.3"), 24, IPAddress.Any));
        vm.Boot(echo, GuestApp.Echo, []);
        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Count > 0, TimeSpan.FromSeconds(10)), $"{vm.State} {vm.Fault}");
        Assert.Equal("echo: up", vm.Serial.Lines[0]);
    }

    private static (int Fds, int Threads, long RssBytes) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var rssLine = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var rssKib = long.Parse(rssLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        // Each of the vCPU scheduler's threads holds an eventfd, and those threads come and go with the load.
        var tasks = Directory.GetDirectories("/proc/self/task");
        var schedulerThreads = tasks.Count(task => ThreadName(task) == "vcpu worker");
        return (Directory.GetFileSystemEntries("/proc/self/fd").Length - schedulerThreads, tasks.Length, rssKib << 10);
    }

    /// <summary>A thread's name, or empty when it ended between the listing and the reading.</summary>
    private static string ThreadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return "";
        }
    }
}
