using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>The Linux hosts behind TAP ports: a network namespace and a TAP device named after the port, and routes.</summary>
public static class HostSpecs
{
    /// <summary>
    /// The longest port name a host may have: the namespace and the TAP device are named after it with a four-letter
    /// prefix, and a Linux interface name holds at most 15 characters (with one left for ones a test adds).
    /// </summary>
    public const int MaxNameLength = 10;

    /// <exception cref="ModelException">The name is too long, or a route's prefix or next hop is not IPv4.</exception>
    public static void Admit(HostSpec host, string port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(port);
        if (port.Length > MaxNameLength)
        {
            throw ModelException.Invalid(
                $"host name '{port}' is too long: a host becomes a network namespace and a TAP device named after it, which allows at most {MaxNameLength} characters", "name");
        }

        for (var i = 0; i < host.Routes.Count; i++)
        {
            var route = host.Routes[i];
            if (!IPNetwork.TryParse(route.To, out var to) || to.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                throw ModelException.Invalid($"route {i + 1} of host '{port}': 'to' must be an IPv4 prefix with no host bits set, such as 10.2.0.0/24, not '{route.To}'", "host.routes");
            }

            if (!IPAddress.TryParse(route.Via, out var via) || via.AddressFamily != AddressFamily.InterNetwork)
            {
                throw ModelException.Invalid($"route {i + 1} of host '{port}': 'via' must be an IPv4 address such as 10.1.0.1, not '{route.Via}'", "host.routes");
            }

            route.To = to.ToString();
            route.Via = via.ToString();
        }
    }
}
