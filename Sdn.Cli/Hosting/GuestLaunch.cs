using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Vmm.Guests;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The built-in application a VNIC port's micro-VM runs and its boot parameters, from the port's launch: its VM
/// spec, which the model checked and completed with defaults, and its target's addresses, which the controller
/// resolved.
/// </summary>
internal sealed record GuestLaunch(GuestApp App, IReadOnlyList<ulong> Parameters, string Description)
{
    public static GuestLaunch For(VmLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var vm = launch.Spec ?? new VmSpec { App = VmApps.Echo };
        long Number(string key) => long.Parse(vm.Params[key], CultureInfo.InvariantCulture);
        string Target() => vm.Params[VmApps.Target];
        switch (vm.App)
        {
            case VmApps.Ping:
                return new GuestLaunch(
                    GuestApp.Ping,
                    MicroGuest.PingParameters(IPAddress.Parse(launch.TargetIpv4), (int)Number("count"), (int)Number("interval-ms") * 1000, (int)Number("size")),
                    $"ping {Target()} x{Number("count")}");
            case VmApps.Pktgen:
                return new GuestLaunch(
                    GuestApp.Pktgen,
                    MicroGuest.PktgenParameters(
                        IPAddress.Parse(launch.TargetIpv4), PhysicalAddress.Parse(launch.TargetMac).GetAddressBytes(), (int)Number("size"), Number("count"), Number("rate-pps"), (int)Number("port")),
                    $"pktgen {Target()} {Number("rate-pps")} pps");
            case VmApps.Sink:
                return new GuestLaunch(GuestApp.Sink, MicroGuest.SinkParameters(Number("count"), (int)Number("port")), $"sink x{Number("count")}");
            default:
                return new GuestLaunch(GuestApp.Echo, [], "echo");
        }
    }

    /// <summary>Whether the application only answers (echo, sink), so that senders may wait until it is up.</summary>
    public bool Responds => App is GuestApp.Echo or GuestApp.Sink;
}
