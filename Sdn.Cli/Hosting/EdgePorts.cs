using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.External;
using Sdn.Fabric.Edge.Tap;
using Sdn.Vmm;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Realizes the ports of one edge's program: a micro-VM behind a VNIC port, a namespace on a TAP device behind a TAP
/// port, a link end behind an uplink, a packet socket on the interface behind an external network's port; and takes each down when its port goes. Tells what became of each VM and host.
/// A port that cannot be realized fails alone: it is bound as an <see cref="UnrealizedPort"/> that says why, and the
/// rest of the program runs.
/// </summary>
internal sealed class EdgePorts : IPortBinder<IEdgePort>
{
    private readonly string _edge;
    private readonly LinkEnds _links;
    private readonly BootGate _boot;
    private readonly EmbeddedFabricOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<IEdgePort, object> _devices = new(ReferenceEqualityComparer.Instance);

    public EdgePorts(string edge, LinkEnds links, BootGate boot, EmbeddedFabricOptions options)
    {
        _edge = edge;
        _links = links;
        _boot = boot;
        _options = options;
    }

    public IReadOnlyList<GuestVm> Vms => Devices<GuestVm>();

    public IReadOnlyList<LinuxHost> Hosts => Devices<LinuxHost>();

    public IEdgePort Bind(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _options.BeforeRealize?.Invoke(_edge, config);
        try
        {
            var (port, device) = Realize(config);
            lock (_gate)
            {
                _devices[port] = device;
            }

            return port;
        }
        catch (Exception e) when (e is VmmException or HostingException or ExternalCommandException or TapException or LinkException or ProgramException or FormatException or PacketSocketException)
        {
            var unrealized = new UnrealizedPort(config.Number, config.Name, $"edge {_edge} cannot realize it: {e.Message}");
            lock (_gate)
            {
                _devices[unrealized] = unrealized;
            }

            return unrealized;
        }
    }

    /// <summary>Takes the port's device down; a failure is told on standard error, since the port is gone from the edge whatever happens.</summary>
    public void Release(IEdgePort port)
    {
        object? device;
        lock (_gate)
        {
            _devices.Remove(port, out device);
        }

        try
        {
            TakeDown(device);
        }
        catch (Exception e) when (e is ExternalCommandException or TapException or IOException or VmmException)
        {
            Console.Error.WriteLine($"edge {_edge}: taking down port '{port.Name}' failed: {e.Message}");
        }
    }

    /// <summary>Takes every device down, the edge being gone; throws what failed once every one was tried.</summary>
    public void TakeDownAll()
    {
        List<object> devices;
        lock (_gate)
        {
            devices = [.. _devices.Values];
            _devices.Clear();
        }

        var failures = new List<Exception>();
        foreach (var device in devices)
        {
            try
            {
                TakeDown(device);
            }
#pragma warning disable CA1031 // Every device is taken down whatever the others do; the failures are thrown together below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }
    }

    private void TakeDown(object? device)
    {
        switch (device)
        {
            case GuestVm vm:
                _boot.Forget(vm);
                vm.Dispose();
                break;
            case LinuxHost host:
                host.Dispose();
                break;
            case PacketSocketPort external:
                external.Dispose();
                break;
            case RealizedLink link:
                _links.Release(_edge, link.Link, link.End);
                break;
        }
    }

    /// <summary>The ports the edge could not realize, each with why.</summary>
    public IReadOnlyList<UnrealizedPort> Unrealized => Devices<UnrealizedPort>();

    /// <summary>What each VM and host is now: pending, up, or failed with the reason.</summary>
    public IReadOnlyList<PortStatus> Statuses()
    {
        var statuses = Vms.Select(vm => vm.Failure is { } failure
                ? new PortStatus { Port = vm.Name, Failure = failure }
                : new PortStatus { Port = vm.Name, Up = vm.IsUp })
            .Concat(Hosts.Select(host => new PortStatus { Port = host.Name, Up = true }))
            .Concat(Devices<PacketSocketPort>().Select(external => new PortStatus { Port = external.Name, Up = true }))
            .Concat(Unrealized.Select(port => new PortStatus { Port = port.Name, Failure = port.Failure }));
        return [.. statuses];
    }

    private (IEdgePort Port, object Device) Realize(PortConfig config)
    {
        switch (config.RealizationCase)
        {
            case PortConfig.RealizationOneofCase.Link:
                var end = _links.Create(_edge, config);
                return (new UplinkPort(config.Number, end, config.Link.Hellos ? LivenessOptions.BetweenProcesses : null), new RealizedLink(config.Link.Link, end));
            case PortConfig.RealizationOneofCase.Vm:
                var vm = new GuestVm(config);
                try
                {
                    if (_options.GuestOutput is { } print && vm.Launch.App != Vmm.Guests.GuestApp.Echo)
                    {
                        vm.Machine.Serial.Subscribe(line => print(vm.Name, line));
                    }

                    var port = vm.Attach(config.Number);
                    _boot.Boot(vm);
                    return (port, vm);
                }
                catch
                {
                    vm.Dispose();
                    throw;
                }

            case PortConfig.RealizationOneofCase.Host:
                var host = new LinuxHost(config, _options.NamePrefix);
                return (host.Attach(config.Number), host);
            case PortConfig.RealizationOneofCase.External:
                var external = PacketSocketPort.Open(config.Number, config.External.Interface);
                return (external, external);
            default:
                throw new HostingException("the controller said nothing of what realizes it");
        }
    }

    /// <summary>An uplink's end, with the model link it belongs to.</summary>
    private sealed record RealizedLink(string Link, LinkEnd End);

    private List<T> Devices<T>()
    {
        lock (_gate)
        {
            return [.. _devices.Values.OfType<T>()];
        }
    }
}
