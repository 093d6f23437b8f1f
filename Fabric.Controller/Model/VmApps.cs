using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// The built-in applications a micro-VM runs, and the parameters each takes: their names, ranges and defaults. A
/// VM's spec is checked here and completed with the defaults of what it leaves out, so the model holds exactly what
/// the VM will run. A <c>target</c> names another VM or host of the fabric (ping also takes an IPv4 address); the
/// compiler resolves it to that port's addresses.
/// </summary>
public static class VmApps
{
    public const string Echo = "echo";
    public const string Ping = "ping";
    public const string Pktgen = "pktgen";
    public const string Sink = "sink";
    public const string Target = "target";

    /// <summary>The frame sizes pktgen can send: a minimal Ethernet frame without FCS to a full one.</summary>
    public const long MinFrameSize = 60;
    public const long MaxFrameSize = 1514;

    public const uint DefaultMemoryMib = 4;
    public const uint MaxMemoryMib = 4096;
    public const uint MaxVcpus = 64;

    private static readonly Dictionary<string, Parameter[]> Parameters = new(StringComparer.Ordinal)
    {
        [Echo] = [],
        [Ping] = [new(Target), new("count", 5, 1, int.MaxValue), new("interval-ms", 1000, 0, 3_600_000), new("size", 56, 0, 1400)],
        [Pktgen] = [new(Target), new("rate-pps", 1000, 0, 100_000_000), new("count", 10_000, 1, long.MaxValue), new("size", 64, MinFrameSize, MaxFrameSize), new("port", 9, 1, 65535)],
        [Sink] = [new("count", 10_000, 1, long.MaxValue), new("port", 0, 0, 65535)],
    };

    public static IReadOnlyCollection<string> Names => Parameters.Keys;

    /// <summary>Checks <paramref name="vm"/>, the spec of port <paramref name="port"/>, against <paramref name="state"/>, and fills in its defaults.</summary>
    /// <exception cref="ModelException">An unknown app or parameter, a value out of range, or a target that is not a VM or host of the fabric.</exception>
    public static void Admit(VmSpec vm, string port, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(state);
        vm.App = string.IsNullOrEmpty(vm.App) ? Echo : vm.App;
        if (!Parameters.TryGetValue(vm.App, out var parameters))
        {
            throw ModelException.Invalid($"vm.app '{vm.App}' is not an application: use {string.Join(", ", Parameters.Keys)}", "vm.app");
        }

        vm.MemoryMib = vm.MemoryMib == 0 ? DefaultMemoryMib : vm.MemoryMib;
        if (vm.MemoryMib > MaxMemoryMib)
        {
            throw ModelException.Invalid($"vm.memory_mib {vm.MemoryMib} is out of range: use 1-{MaxMemoryMib}", "vm.memory_mib");
        }

        vm.Vcpus = vm.Vcpus == 0 ? 1 : vm.Vcpus;
        if (vm.Vcpus > MaxVcpus)
        {
            throw ModelException.Invalid($"vm.vcpus {vm.Vcpus} is out of range: use 1-{MaxVcpus}", "vm.vcpus");
        }

        foreach (var key in vm.Params.Keys.Where(k => !parameters.Any(p => p.Name == k)))
        {
            var takes = parameters.Length == 0 ? "none" : string.Join(", ", parameters.Select(p => p.Name));
            throw ModelException.Invalid($"'{key}' is not a parameter of {vm.App}; it takes: {takes}", $"vm.params.{key}");
        }

        foreach (var parameter in parameters)
        {
            if (parameter.Name == Target)
            {
                AdmitTarget(vm, port, state);
            }
            else
            {
                vm.Params[parameter.Name] = parameter.Check(vm.App, vm.Params.GetValueOrDefault(parameter.Name)).ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>The port <paramref name="vm"/> sends to, when its target names one.</summary>
    public static string? TargetPort(VmSpec? vm) =>
        vm is not null && vm.Params.TryGetValue(Target, out var target) && !IPAddress.TryParse(target, out _) ? target : null;

    private static void AdmitTarget(VmSpec vm, string port, ModelState state)
    {
        const string Field = "vm.params.target";
        var orAddress = vm.App == Ping ? ", or an IPv4 address" : string.Empty;
        if (!vm.Params.TryGetValue(Target, out var target) || target.Length == 0)
        {
            throw ModelException.Invalid($"{vm.App} needs a 'target': the name of another VM or host{orAddress}", Field);
        }

        if (IPAddress.TryParse(target, out var address))
        {
            if (vm.App != Ping || address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw ModelException.Invalid($"the target of {vm.App} must be the name of another VM or host{orAddress}, not '{target}'", Field);
            }

            return;
        }

        if (target == port)
        {
            throw ModelException.Invalid($"the target of {vm.App} is the VM itself; name another VM or host", Field);
        }

        if (!state.Ports.Contains(target))
        {
            throw ModelException.NotFound("VM or host", target, Field);
        }
    }

    private sealed record Parameter(string Name, long Default = 0, long Min = 0, long Max = 0)
    {
        public long Check(string app, string? text)
        {
            if (text is null)
            {
                return Default;
            }

            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= Min && value <= Max
                ? value
                : throw ModelException.Invalid($"'{Name}' of {app} must be a whole number from {Min} to {Max}, not '{text}'", $"vm.params.{Name}");
        }
    }
}
