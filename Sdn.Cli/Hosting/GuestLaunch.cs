using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Vmm.Guests;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The built-in application a VM port's micro-VM runs and its boot parameters, from the port's VM spec, which the
/// model has checked and completed with defaults; a <c>target</c> naming a VM or host is resolved to the address
/// (and, for pktgen, the MAC) the controller gave that port.
/// </summary>
internal sealed record GuestLaunch(GuestApp App, IReadOnlyList<ulong> Parameters, string Description)
{
    /// <param name="endpoint">The model's port of a VM or host, by name; null when there is none.</param>
    /// <exception cref="HostingException">The target is gone.</exception>
    public static GuestLaunch For(Port port, Func<string, Port?> endpoint)
    {
        ArgumentNullException.ThrowIfNull(port);
        var vm = port.Vm ?? new VmSpec { App = VmApps.Echo };
        long Number(string key) => long.Parse(vm.Params[key], CultureInfo.InvariantCulture);
        switch (vm.App)
        {
            case VmApps.Ping:
                var (pingName, pingIp, _) = Target(port, vm, endpoint);
                return new GuestLaunch(
                    GuestApp.Ping,
                    MicroGuest.PingParameters(pingIp, (int)Number("count"), (int)Number("interval-ms") * 1000, (int)Number("size")),
                    $"ping {pingName} x{Number("count")}");
            case VmApps.Pktgen:
                var (sinkName, sinkIp, sinkMac) = Target(port, vm, endpoint);
                return new GuestLaunch(
                    GuestApp.Pktgen,
                    MicroGuest.PktgenParameters(sinkIp, sinkMac!, (int)Number("size"), Number("count"), Number("rate-pps"), (int)Number("port")),
                    $"pktgen {sinkName} {Number("rate-pps")} pps");
            case VmApps.Sink:
                return new GuestLaunch(GuestApp.Sink, MicroGuest.SinkParameters(Number("count"), (int)Number("port")), $"sink x{Number("count")}");
            default:
                return new GuestLaunch(GuestApp.Echo, [], "echo");
        }
    }

    /// <returns>The target as written, its IPv4 address, and its MAC when it is a port of the fabric.</returns>
    private static (string Name, IPAddress Ip, byte[]? Mac) Target(Port port, VmSpec vm, Func<string, Port?> endpoint)
    {
        var target = vm.Params[VmApps.Target];
        if (endpoint(target) is { } targeted)
        {
            return (target, IPAddress.Parse(targeted.Ipv4), PhysicalAddress.Parse(targeted.Mac).GetAddressBytes());
        }

        return IPAddress.TryParse(target, out var address)
            ? (target, address, null)
            : throw new HostingException($"vm '{port.Name}' ({vm.App}): its target '{target}' is not a VM or host of the fabric");
    }
}
