using System.Diagnostics;
using System.Globalization;
using System.Net;
using Sdn.Vmm.Devices.VirtioNet;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Benchmarks.Vmm;

/// <summary>
/// The VMM on real KVM: boot time, VM-to-VM throughput and latency over a back-to-back link, exits per packet,
/// and memory per VM. Each figure also appears as a ratio to the goal, since raw numbers on this shared
/// 2-core machine move with its load.
/// </summary>
internal sealed class VmmSuite : IBenchmarkSuite
{
    private const string VcpuThreadPrefix = "vcpu worker";
    private const string DeviceWorkerThreadPrefix = "device worker";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly IPAddress SenderIp = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress ReceiverIp = IPAddress.Parse("10.0.0.2");

    public string Name => "vmm";

    public string Description => "KVM micro-VMs: boot, pps/Gbps VM to VM, RTT, exits per packet, memory per VM";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        var boot = Median(Enumerable.Range(0, options.Quick ? 5 : 20).Select(_ => BootMilliseconds()));
        var small = Stream(frameSize: 64, frames: options.Quick ? 100_000 : 1_000_000);
        var large = Stream(frameSize: 1514, frames: options.Quick ? 20_000 : 200_000);
        var rtt = RttMicroseconds(options.Quick ? 5 : 50);
        var overhead = OverheadMibPerVm(options.Quick ? 4 : 16);

        return
        [
            new("boot_ms_median", boot),
            new("pps_64b", small.Pps),
            new("pps_per_cpu_second", small.FramesPerCpuSecond),
            new("cpu_us_per_frame_vcpus", small.Cpu.Vcpus),
            new("cpu_us_per_frame_device_workers", small.Cpu.DeviceWorkers),
            new("parks_per_packet", small.ParksPerPacket),
            new("device_wakeups_per_packet", small.DeviceWakeupsPerPacket),
            new("gbps_1500b", large.Pps * 1514 * 8 / 1e9),
            new("rtt_us_median", rtt),
            new("exits_per_packet", small.ExitsPerPacket),
            new("exits_per_packet_1500b", large.ExitsPerPacket),
            new("overhead_mib_per_vm", overhead),
            new("process_alloc_bytes_per_packet", small.AllocatedBytesPerPacket),
            new("boot_ms_vs_goal_10", boot / 10),
            new("pps_64b_vs_goal_1m", small.Pps / 1e6),
            new("exits_per_packet_vs_goal_0_01", small.ExitsPerPacket / 0.01),
            new("overhead_vs_goal_2mib", overhead / 2),
        ];
    }

    /// <summary>From <c>new VirtualMachine</c> to the guest's first serial line.</summary>
    private static double BootMilliseconds()
    {
        var guest = new GuestAssembler();
        guest.Print("booted\n");
        guest.Exit(0);
        var image = guest.Build();

        long firstLine = 0;
        var start = Stopwatch.GetTimestamp();
        using var vm = new VirtualMachine(new VmOptions { Name = "boot" });
        using var subscription = vm.Serial.Subscribe(_ => Interlocked.CompareExchange(ref firstLine, Stopwatch.GetTimestamp(), 0));
        vm.Boot(image);
        Require(vm.WaitForExit(Timeout) && firstLine != 0, vm, "boot guest did not print");
        return Stopwatch.GetElapsedTime(start, firstLine).TotalMilliseconds;
    }

    private static StreamResult Stream(int frameSize, long frames)
    {
        using var pair = new Pair();
        pair.BootReceiver(GuestApp.Sink, MicroGuest.SinkParameters(frames));
        var exitsBefore = pair.Receiver.Exits.Total;
        var parksBefore = pair.Receiver.Exits.Parks;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var cpu = ThreadCpuSampler.Start(VcpuThreadPrefix, DeviceWorkerThreadPrefix);
        pair.Sender.Boot(MicroGuest.Build(GuestApp.Pktgen), GuestApp.Pktgen, MicroGuest.PktgenParameters(ReceiverIp, pair.ReceiverNic.Mac, frameSize, frames));
        Require(pair.Receiver.WaitForExit(Timeout) && pair.Sender.WaitForExit(Timeout), pair.Receiver, "pktgen to sink did not finish");
        cpu.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - cpu.AllocatedBytes;
        Require(pair.Receiver.LastReport(ReportKey.SinkLost) == 0, pair.Receiver, "sink lost frames");
        var received = (double)pair.Receiver.LastReport(ReportKey.SinkReceived)!.Value;
        var seconds = pair.Receiver.LastReport(ReportKey.SinkElapsedTicks)!.Value / (double)pair.Receiver.TscHz;
        var senderExits = pair.Sender.Exits.Total - pair.Sender.Exits[Sdn.Vmm.Kvm.KvmExitReason.Mmio]; // driver init is not per packet
        var receiverExits = pair.Receiver.Exits.Total - exitsBefore;
        var perFrame = new CpuPerFrame(cpu.Seconds(VcpuThreadPrefix) * 1e6 / received, cpu.Seconds(DeviceWorkerThreadPrefix) * 1e6 / received);
        var parks = pair.Sender.Exits.Parks + pair.Receiver.Exits.Parks - parksBefore;
        var deviceWakeups = pair.SenderNic.Metrics.Wakeups + pair.ReceiverNic.Metrics.Wakeups;
        return new StreamResult(received / seconds, (senderExits + receiverExits) / received, allocated / received, perFrame, parks / received, deviceWakeups / received);
    }

    /// <summary>CPU microseconds per frame of each kind of thread that moves frames: the scheduler's, which run both vCPUs, and the device workers.</summary>
    private sealed record CpuPerFrame(double Vcpus, double DeviceWorkers)
    {
        public double Total => Vcpus + DeviceWorkers;
    }

    private sealed record StreamResult(double Pps, double ExitsPerPacket, double AllocatedBytesPerPacket, CpuPerFrame Cpu, double ParksPerPacket, double DeviceWakeupsPerPacket)
    {
        /// <summary>Frames per second of CPU that the vCPUs and device workers consumed: the data path's cost, whatever the machine's load.</summary>
        public double FramesPerCpuSecond => 1e6 / Cpu.Total;
    }

    private static double RttMicroseconds(int count)
    {
        using var pair = new Pair();
        pair.BootReceiver(GuestApp.Echo, []);
        pair.Sender.Boot(MicroGuest.Build(GuestApp.Ping), GuestApp.Ping, MicroGuest.PingParameters(ReceiverIp, count, intervalMicroseconds: 0));
        Require(pair.Sender.WaitForExit(Timeout) && pair.Sender.LastReport(ReportKey.PingReplies) == (ulong)count, pair.Sender, "ping did not get every reply");
        return Median(pair.Sender.Reports.Where(r => r.Key == ReportKey.PingRttTicks).Select(r => r.Value * 1e6 / pair.Sender.TscHz));
    }

    /// <summary>Process RSS growth per running VM (echo guest with a NIC), minus its guest RAM that is resident.</summary>
    private static double OverheadMibPerVm(int count)
    {
        var echo = MicroGuest.Build(GuestApp.Echo);
        var before = ResidentBytes();
        var vms = new List<VirtualMachine>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var vm = new VirtualMachine(new VmOptions { Name = $"mem{i}" });
                vms.Add(vm);
                vm.AddNic(new NicInfo(NicInfo.LocalMac((byte)i), ReceiverIp, 24, IPAddress.Any));
                vm.Boot(echo, GuestApp.Echo, []);
                Require(vm.WaitUntil(v => v.Serial.Lines.Count > 0, Timeout), vm, "echo did not come up");
            }

            var guestResident = vms.Sum(vm => vm.Memory.ResidentBytes());
            return (ResidentBytes() - before - guestResident) / (double)count / (1 << 20);
        }
        finally
        {
            vms.ForEach(vm => vm.Dispose());
        }
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return KibField(File.ReadLines("/proc/self/status"), "VmRSS:");
    }

    private static long KibField(IEnumerable<string> lines, string field)
    {
        var line = lines.First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) << 10;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static void Require(bool condition, VirtualMachine vm, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{what}: {vm.Name} {vm.State} {vm.Fault}\n{vm.Serial.Log}");
        }
    }

    /// <summary>A sender VM (10.0.0.1) and a receiver VM (10.0.0.2), NICs cabled back to back.</summary>
    private sealed class Pair : IDisposable
    {
        public Pair()
        {
            Sender = new VirtualMachine(new VmOptions { Name = "sender" });
            Receiver = new VirtualMachine(new VmOptions { Name = "receiver" });
            SenderNic = Sender.AddNic(new NicInfo(NicInfo.LocalMac(1), SenderIp, 24, IPAddress.Any));
            ReceiverNic = Receiver.AddNic(new NicInfo(NicInfo.LocalMac(2), ReceiverIp, 24, IPAddress.Any));
            _ = new BackToBackLink(SenderNic, ReceiverNic);
        }

        public VirtualMachine Sender { get; }

        public VirtualMachine Receiver { get; }

        public NetDevice SenderNic { get; }

        public NetDevice ReceiverNic { get; }

        public void BootReceiver(GuestApp app, IReadOnlyList<ulong> parameters)
        {
            Receiver.Boot(MicroGuest.Build(app), app, parameters);
            Require(Receiver.WaitUntil(v => v.Serial.Lines.Count > 0, Timeout), Receiver, $"{app} did not come up");
        }

        public void Dispose()
        {
            Sender.Dispose();
            Receiver.Dispose();
        }
    }
}
