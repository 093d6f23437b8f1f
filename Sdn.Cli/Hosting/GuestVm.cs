using System.Net;
using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Vmm.Devices.VirtioNet;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A VNIC port's micro-VM: one NIC with the MAC and addresses the controller gave the port, which becomes an
/// edge port under the port's number, and which boots its application when told to.
/// </summary>
internal sealed class GuestVm : IDisposable
{
    private const ulong MemoryGranule = 2 << 20;

    private readonly NetDevice _nic;
    private volatile bool _up;

    public GuestVm(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var launch = config.Vm ?? throw new HostingException($"port '{config.Name}' is no VM port");
        Name = config.Name;
        Mac = config.Mac;
        Address = launch.Address;
        Launch = GuestLaunch.For(launch);
        var memory = ((ulong)launch.Spec.MemoryMib << 20) + MemoryGranule - 1 & ~(MemoryGranule - 1);
        Machine = new VirtualMachine(new VmOptions { Name = config.Name, MemoryBytes = memory });
        try
        {
            _nic = Machine.AddNic(NicFor(config.Mac, launch.Address));
            Machine.Serial.Subscribe(line => _up |= line == UpLine);
        }
        catch
        {
            Machine.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string Mac { get; }

    public PortAddress Address { get; }

    public GuestLaunch Launch { get; }

    public VirtualMachine Machine { get; }

    /// <summary>Whether the application has said it is up.</summary>
    public bool IsUp => _up;

    /// <summary>Why the VM stopped, when it stopped before its application was done; null while it runs or ran to its end.</summary>
    public string? Failure => Machine.State switch
    {
        VmState.Faulted => $"the VM faulted: {Machine.Fault}",
        VmState.Stopped or VmState.Exited when !_up => $"the VM stopped before its application came up ({Machine.State}): {Machine.Serial.Log}",
        _ => null,
    };

    /// <summary>The line the application prints once its NIC is up.</summary>
    private string UpLine => $"{Launch.App.ToString().ToLowerInvariant()}: up";

    /// <summary>What the guest learns of its NIC: the port's MAC and addressing. An empty gateway or IPv6 address is none.</summary>
    internal static NicInfo NicFor(string mac, PortAddress address)
    {
        var ipv6 = string.IsNullOrEmpty(address.Ipv6)
            ? null
            : new NicIpv6(IPAddress.Parse(address.Ipv6), (int)address.Ipv6PrefixLength, GatewayOrNone(address.Ipv6Gateway, IPAddress.IPv6Any));
        return new NicInfo(
            PhysicalAddress.Parse(mac).GetAddressBytes(), IPAddress.Parse(address.Ipv4), (int)address.PrefixLength, GatewayOrNone(address.Gateway, IPAddress.Any), ipv6);
    }

    private static IPAddress GatewayOrNone(string gateway, IPAddress none) => string.IsNullOrEmpty(gateway) ? none : IPAddress.Parse(gateway);

    /// <summary>The NIC as edge port <paramref name="number"/>.</summary>
    public IEdgePort Attach(uint number) => new VnicPort(number, Name, _nic);

    public void Boot(GuestImage image) => Machine.Boot(image, Launch.App, Launch.Parameters);

    public void Dispose() => Machine.Dispose();
}
