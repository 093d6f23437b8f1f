using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Topology;
using Sdn.Vmm.Guests;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The built-in application a topology VM runs and its boot parameters, from the VM's <c>app</c> and
/// <c>params</c>: a <c>target</c> names another VM or host of the topology (ping also takes an IPv4 address),
/// and is resolved to the address (and, for pktgen, the MAC) the controller gave that endpoint.
/// </summary>
internal sealed record GuestLaunch(GuestApp App, IReadOnlyList<ulong> Parameters, string Description)
{
    private static readonly Dictionary<string, string[]> Keys = new(StringComparer.Ordinal)
    {
        ["echo"] = [],
        ["ping"] = ["target", "count", "interval-ms", "size"],
        ["pktgen"] = ["target", "rate-pps", "count", "size", "port"],
        ["sink"] = ["count", "port"],
    };

    /// <param name="endpoint">The model's port of a VM or host, by name; null when there is none.</param>
    /// <exception cref="HostingException">An unknown parameter, a value out of range, or a target that is not in the topology.</exception>
    public static GuestLaunch For(VmDefinition vm, Func<string, Port?> endpoint)
    {
        ArgumentNullException.ThrowIfNull(vm);
        var reader = new Reader(vm, endpoint);
        foreach (var key in vm.Parameters.Keys.Where(k => !Keys[vm.App].Contains(k)))
        {
            throw reader.Problem($"'{key}' is not a parameter of {vm.App}; it takes: {(Keys[vm.App].Length == 0 ? "none" : string.Join(", ", Keys[vm.App]))}");
        }

        switch (vm.App)
        {
            case "ping":
                var (pingName, pingIp, _) = reader.Target(allowAddress: true);
                var pings = reader.Number("count", 5, 1, int.MaxValue);
                return new GuestLaunch(
                    GuestApp.Ping,
                    MicroGuest.PingParameters(pingIp, (int)pings, (int)reader.Number("interval-ms", 1000, 0, 3_600_000) * 1000, (int)reader.Number("size", 56, 0, 1400)),
                    $"ping {pingName} x{pings}");
            case "pktgen":
                var (sinkName, sinkIp, sinkMac) = reader.Target(allowAddress: false);
                var rate = reader.Number("rate-pps", 1000, 0, 100_000_000);
                return new GuestLaunch(
                    GuestApp.Pktgen,
                    MicroGuest.PktgenParameters(
                        sinkIp, sinkMac!, (int)reader.Number("size", 64, MicroGuest.MinimumFrameSize, MicroGuest.MaximumFrameSize), reader.Number("count", 10_000, 1, long.MaxValue), rate, (int)reader.Number("port", 9, 1, 65535)),
                    $"pktgen {sinkName} {rate} pps");
            case "sink":
                var expected = reader.Number("count", 10_000, 1, long.MaxValue);
                return new GuestLaunch(GuestApp.Sink, MicroGuest.SinkParameters(expected, (int)reader.Number("port", 0, 0, 65535)), $"sink x{expected}");
            default:
                return new GuestLaunch(GuestApp.Echo, [], "echo");
        }
    }

    /// <summary>Reads one VM's parameters, each problem naming the VM and the parameter.</summary>
    private sealed class Reader(VmDefinition vm, Func<string, Port?> endpoint)
    {
        public HostingException Problem(string message) => new($"vm '{vm.Name}' (app {vm.App}): {message}");

        public long Number(string key, long fallback, long min, long max)
        {
            if (!vm.Parameters.TryGetValue(key, out var text))
            {
                return fallback;
            }

            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw Problem($"'{key}' must be a whole number from {min} to {max}, not '{text}'");
        }

        /// <returns>The target as written, its IPv4 address, and its MAC when it is an endpoint of the topology.</returns>
        public (string Name, IPAddress Ip, byte[]? Mac) Target(bool allowAddress)
        {
            if (!vm.Parameters.TryGetValue("target", out var target))
            {
                throw Problem("'target' is required: the name of another VM or host" + (allowAddress ? ", or an IPv4 address" : string.Empty));
            }

            if (endpoint(target) is { } port)
            {
                return (target, IPAddress.Parse(port.Ipv4), PhysicalAddress.Parse(port.Mac).GetAddressBytes());
            }

            return allowAddress && IPAddress.TryParse(target, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? (target, address, null)
                : throw Problem($"'target' names '{target}', which is not a VM or host of this topology");
        }
    }
}
