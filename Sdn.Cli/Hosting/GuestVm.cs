using System.Net;
using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Vmm.Devices.VirtioNet;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A VM port's micro-VM: one whose one NIC has the MAC and IPv4 address the controller gave its port, which
/// becomes an edge port when the edge's program names it, and which boots its application once the fabric is
/// programmed.
/// </summary>
internal sealed class GuestVm : IDisposable
{
    private const ulong MemoryGranule = 2 << 20;

    private readonly NetDevice _nic;

    public GuestVm(Port port, Network network, GuestLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(network);
        Port = port;
        Launch = launch;
        var memory = ((ulong)port.Vm.MemoryMib << 20) + MemoryGranule - 1 & ~(MemoryGranule - 1);
        Machine = new VirtualMachine(new VmOptions { Name = port.Name, MemoryBytes = memory });
        try
        {
            var subnet = IPNetwork.Parse(network.Ipv4Subnet);
            _nic = Machine.AddNic(new NicInfo(
                PhysicalAddress.Parse(port.Mac).GetAddressBytes(), IPAddress.Parse(port.Ipv4), subnet.PrefixLength, IPAddress.Parse(network.Ipv4Gateway)));
        }
        catch
        {
            Machine.Dispose();
            throw;
        }
    }

    /// <summary>The VM's port as the controller's model holds it, with its allocated MAC.</summary>
    public Port Port { get; }

    public GuestLaunch Launch { get; }

    public VirtualMachine Machine { get; }

    public string Name => Port.Name;

    /// <summary>The line the application prints once its NIC is up.</summary>
    private string UpLine => $"{Launch.App.ToString().ToLowerInvariant()}: up";

    /// <summary>The NIC as edge port <paramref name="number"/>.</summary>
    public IEdgePort Attach(uint number) => new VnicPort(number, Name, _nic);

    public void Boot(GuestImage image) => Machine.Boot(image, Launch.App, Launch.Parameters);

    /// <summary>Waits for the application's "up" line; false when it did not come in time or the VM stopped first.</summary>
    public bool WaitUntilUp(TimeSpan timeout) =>
        Machine.WaitUntil(vm => vm.Serial.Lines.Contains(UpLine) || vm.State != VmState.Running, timeout) && Machine.Serial.Lines.Contains(UpLine);

    public void Dispose() => Machine.Dispose();
}
