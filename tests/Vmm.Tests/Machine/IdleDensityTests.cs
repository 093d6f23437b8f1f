using System.Net;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using Sdn.Vmm.Tests.Guests;
using Xunit.Abstractions;

namespace Sdn.Vmm.Tests.Machine;

/// <summary>What an idle VM costs: no exits while nobody sends to it, and no thread of the VMM's.</summary>
[Collection(ProcessWideMeasurements.Name)]
public class IdleDensityTests(ITestOutputHelper output)
{
    private const int Vms = 20;

    [KvmFact]
    public void An_idle_echo_guest_makes_no_exit_for_a_second_then_answers_every_ping()
    {
        using var pair = new GuestPair();
        GuestPair.BootAndWaitUp(pair.Right, GuestApp.Echo, []);
        Thread.Sleep(200); // past its spin budget and into the park

        var exits = pair.Right.Exits.Total;
        Thread.Sleep(1000);
        output.WriteLine($"exits over 1 s idle: {pair.Right.Exits.Total - exits}, parks so far: {pair.Right.Exits.Parks}");
        Assert.Equal(exits, pair.Right.Exits.Total);

        pair.Left.Boot(MicroGuest.Build(GuestApp.Ping), GuestApp.Ping, MicroGuest.PingParameters(GuestPair.RightIp, count: 3, intervalMicroseconds: 300_000));
        Assert.True(pair.Left.WaitForExit(GuestPair.Timeout), pair.Left.Serial.Log);
        Assert.Equal(3ul, pair.Left.LastReport(ReportKey.PingReplies)); // each request wakes the parked guest
    }

    [KvmFact]
    public void Twenty_parked_echo_vms_add_the_kernels_threads_but_no_vcpu_or_device_threads()
    {
        var echo = MicroGuest.Build(GuestApp.Echo);
        using (BootEcho(echo, 0))
        {
        }

        var before = ThreadNames();
        var vms = new List<VirtualMachine>();
        try
        {
            for (var i = 1; i <= Vms; i++)
            {
                vms.Add(BootEcho(echo, i));
            }

            var after = ThreadNames();
            output.WriteLine($"threads {before.Count} -> {after.Count}: " + string.Join(", ", after.GroupBy(n => n).Select(g => $"{g.Key} x{g.Count()}")));

            // Each VM brings KVM's kvm-nx-lpage-recovery; its parked vCPU holds none of the scheduler's threads, which
            // an enqueue starts only up to two per core (an earlier test may have left more, retiring), and its NIC
            // is served by the shared device workers.
            var schedulerThreads = Math.Max(2 * Environment.ProcessorCount, before.Count(n => n == "vcpu worker"));
            Assert.InRange(after.Count, 0, before.Count + Vms + schedulerThreads);
            Assert.InRange(after.Count(n => n == "vcpu worker"), 1, schedulerThreads);
            Assert.Equal(Environment.ProcessorCount, after.Count(n => n == "device worker"));
            Assert.All(vms, vm => Assert.True(vm.Nics[0].IsActive));
        }
        finally
        {
            vms.ForEach(vm => vm.Dispose());
        }
    }

    private static VirtualMachine BootEcho(GuestImage echo, int index)
    {
        var vm = new VirtualMachine(new VmOptions { Name = $"idle{index}" });
        vm.AddNic(new NicInfo(NicInfo.LocalMac((byte)(index + 10)), IPAddress.Parse($"10.0.1.{index + 10}"), 24, IPAddress.Any));
        vm.Boot(echo, GuestApp.Echo, []);
        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Contains("echo: up") || v.State != VmState.Running, GuestPair.Timeout), $"{vm.State} {vm.Fault}");
        return vm;
    }

    /// <summary>The names of the process's threads, as /proc shows them (cut to 15 characters).</summary>
    private static List<string> ThreadNames() =>
        [.. Directory.GetDirectories("/proc/self/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'))];
}
