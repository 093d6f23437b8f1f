using System.Net;
using Sdn.Cli.Hosting;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Edge.Tap;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.EndToEnd.Datapath;

/// <summary>A real Linux stack in a namespace, on a TAP port, and a real micro-VM, on a vNIC port, of one edge switch.</summary>
public sealed class LinuxHostToVmTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly VirtualMachine _echo = new(new VmOptions { Name = "echo" });
    private readonly NetworkNamespace _host;
    private readonly TapDevice _tap;

    public LinuxHostToVmTests()
    {
        _host = NetworkNamespace.Create($"sdnh-{_suffix}");
        _tap = TapDevice.Create($"sdnh{_suffix}");
        _host.Adopt(_tap.Name);
        _host.Configure(_tap.Name, "10.0.0.1/24");
    }

    public void Dispose()
    {
        _echo.Dispose();
        _tap.Dispose();
        _host.Dispose();
    }

    [KvmFact]
    public void Linux_ping_from_a_namespace_reaches_a_micro_vm_through_the_switch()
    {
        var vnic = new VnicPort(2, "echo", _echo.AddNic(new NicInfo(NicInfo.LocalMac(2), IPAddress.Parse("10.0.0.2"), 24, IPAddress.Any)));
        using var edge = new PolledSwitch(new TapPort(1, _tap), vnic);
        _echo.Boot(MicroGuest.Build(GuestApp.Echo), GuestApp.Echo, []);
        Assert.True(_echo.WaitUntil(v => v.Serial.Lines.Contains("echo: up") || v.State != VmState.Running, Timeout), _echo.Serial.Log);

        var ping = _host.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2");

        edge.Stop();
        Assert.Contains("3 packets transmitted, 3 received", ping, StringComparison.Ordinal);
        Assert.True(edge.Switch.Datapath.PortCounters(2)!.RxPackets >= 4, "ARP and three echo replies came from the VM");
    }
}
