using System.Net;
using Sdn.Vmm.Devices.VirtioNet;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Guests;

/// <summary>Two VMs whose NICs are cabled back to back: "left" is 10.0.0.1, "right" is 10.0.0.2.</summary>
internal sealed class GuestPair : IDisposable
{
    public static readonly IPAddress LeftIp = IPAddress.Parse("10.0.0.1");
    public static readonly IPAddress RightIp = IPAddress.Parse("10.0.0.2");
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public GuestPair()
    {
        Left = new VirtualMachine(new VmOptions { Name = "left" });
        Right = new VirtualMachine(new VmOptions { Name = "right" });
        LeftNic = Left.AddNic(new NicInfo(NicInfo.LocalMac(1), LeftIp, 24, IPAddress.Any));
        RightNic = Right.AddNic(new NicInfo(NicInfo.LocalMac(2), RightIp, 24, IPAddress.Any));
        Link = new BackToBackLink(LeftNic, RightNic);
    }

    public VirtualMachine Left { get; }

    public VirtualMachine Right { get; }

    public NetDevice LeftNic { get; }

    public NetDevice RightNic { get; }

    public BackToBackLink Link { get; }

    /// <summary>Boots <paramref name="app"/> on <paramref name="vm"/> and waits for its "up" line.</summary>
    public static void BootAndWaitUp(VirtualMachine vm, GuestApp app, IReadOnlyList<ulong> parameters)
    {
        vm.Boot(MicroGuest.Build(app), app, parameters);
        var up = $"{app.ToString().ToLowerInvariant()}: up";
        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Contains(up) || v.State != VmState.Running, Timeout), $"{vm.Name} did not come up: {vm.Serial.Log}");
        Assert.True(vm.State == VmState.Running, $"{vm.Name}: {vm.State} {vm.Fault} {vm.Serial.Log}");
    }

    public void Dispose()
    {
        Left.Dispose();
        Right.Dispose();
    }
}
