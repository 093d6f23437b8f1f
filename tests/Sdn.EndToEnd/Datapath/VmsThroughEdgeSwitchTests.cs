using System.Net;
using Sdn.Cli.Hosting;
using Sdn.EndToEnd.Support;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.EndToEnd.Datapath;

/// <summary>Two real micro-VMs whose NICs are ports of one real edge switch.</summary>
public sealed class VmsThroughEdgeSwitchTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IPAddress EchoIp = IPAddress.Parse("10.0.0.2");

    private readonly VirtualMachine _pinger = new(new VmOptions { Name = "pinger" });
    private readonly VirtualMachine _echo = new(new VmOptions { Name = "echo" });

    public void Dispose()
    {
        _pinger.Dispose();
        _echo.Dispose();
    }

    [KvmFact]
    public void Ping_crosses_the_switch_both_ways_with_every_reply()
    {
        var pingerPort = new VnicPort(1, "pinger", _pinger.AddNic(new NicInfo(NicInfo.LocalMac(1), IPAddress.Parse("10.0.0.1"), 24, IPAddress.Any)));
        var echoPort = new VnicPort(2, "echo", _echo.AddNic(new NicInfo(NicInfo.LocalMac(2), EchoIp, 24, IPAddress.Any)));
        using var edge = new PolledSwitch(pingerPort, echoPort);

        _echo.Boot(MicroGuest.Build(GuestApp.Echo), GuestApp.Echo, []);
        Assert.True(_echo.WaitUntil(v => v.Serial.Lines.Contains("echo: up") || v.State != VmState.Running, Timeout), _echo.Serial.Log);
        _pinger.Boot(MicroGuest.Build(GuestApp.Ping), GuestApp.Ping, MicroGuest.PingParameters(EchoIp, count: 5, intervalMicroseconds: 2000));

        Assert.True(_pinger.WaitForExit(Timeout), _pinger.Serial.Log);
        edge.Stop();
        Assert.Equal(5ul, _pinger.LastReport(ReportKey.PingReplies));
        var pingerCounters = edge.Switch.Datapath.PortCounters(1)!;
        var echoCounters = edge.Switch.Datapath.PortCounters(2)!;
        Assert.True(pingerCounters.RxPackets >= 6, $"the switch received {pingerCounters.RxPackets} frames from the pinger");
        Assert.True(echoCounters.RxPackets >= 6, $"the switch received {echoCounters.RxPackets} frames from the echo guest");
        Assert.Equal(pingerCounters.RxPackets, echoCounters.TxPackets);
        Assert.Equal(0, pingerPort.GuestRxFull + echoPort.GuestRxFull);
    }
}
