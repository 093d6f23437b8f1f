using System.Globalization;
using Sdn.Common;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>Port MAC addresses: parsing what users give, and allocating what they leave out.</summary>
public static class MacAddress
{
    /// <summary>
    /// Allocated MACs start 02:5d: the locally administered bit set, unicast. The other four
    /// octets come from a hash of the port's name, so the same request gives the same MAC.
    /// </summary>
    private const byte AllocatedFirstOctet = 0x02;
    private const byte AllocatedSecondOctet = 0x5d;

    /// <summary>Router MACs start 02:5e, so no allocated port MAC is ever one.</summary>
    private const byte RouterSecondOctet = 0x5e;

    /// <summary>The canonical form "02:5d:0a:1b:2c:3d"; accepts ':' or '-' separators and either case.</summary>
    public static string Normalize(string field, string text)
    {
        var parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        var octets = new byte[6];
        if (parts.Length != 6 || !parts.Select((p, i) => p.Length == 2 && byte.TryParse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out octets[i])).All(ok => ok))
        {
            throw ModelException.Invalid($"{field} '{text}' is not a MAC address such as 02:00:00:00:00:01", field);
        }

        if ((octets[0] & 1) != 0)
        {
            throw ModelException.Invalid($"{field} '{text}' is a multicast address; a port needs a unicast MAC (even first octet)", field);
        }

        if (octets.All(o => o == 0))
        {
            throw ModelException.Invalid($"{field} '{text}' is all zeros; give a real unicast MAC or leave it empty to have one allocated", field);
        }

        if (octets[0] == AllocatedFirstOctet && octets[1] == RouterSecondOctet)
        {
            throw ModelException.Invalid($"{field} '{text}' starts 02:5e, which is kept for the tenants' routers; give another MAC or leave it empty", field);
        }

        return Format(octets);
    }

    /// <summary>A locally administered MAC derived from <paramref name="seed"/>, stepping past any in <paramref name="taken"/>.</summary>
    public static string Allocate(string seed, IReadOnlySet<string> taken)
    {
        var hash = StableHash.Of(seed);
        while (true)
        {
            var mac = FromHash(AllocatedSecondOctet, hash);
            if (!taken.Contains(mac))
            {
                return mac;
            }

            hash++;
        }
    }

    /// <summary>
    /// The MAC of <paramref name="tenant"/>'s distributed router: what its gateway addresses answer with on every
    /// network of the tenant, and the source of every packet it routes. The same name gives the same MAC.
    /// </summary>
    public static string RouterOf(string tenant) => FromHash(RouterSecondOctet, StableHash.Of(tenant));

    /// <summary>
    /// The MAC the gateway of <paramref name="external"/> answers the outside's ARP with, for its own address and the
    /// floating IPs: the routers' face outside, so from the routers' kept range, apart from every tenant's by its seed.
    /// </summary>
    public static string GatewayOf(ExternalNetwork external)
    {
        ArgumentNullException.ThrowIfNull(external);
        return FromHash(RouterSecondOctet, StableHash.Of("external/" + external.Name));
    }

    /// <summary>
    /// The MAC a port on <paramref name="fromNetwork"/> sends to for <paramref name="to"/>: <paramref name="to"/>'s
    /// own on the same network, the tenant router's across networks.
    /// </summary>
    public static string FirstHop(Network fromNetwork, Port to)
    {
        ArgumentNullException.ThrowIfNull(fromNetwork);
        ArgumentNullException.ThrowIfNull(to);
        return fromNetwork.Name == to.Network ? to.Mac : RouterOf(fromNetwork.Tenant);
    }

    private static string FromHash(byte secondOctet, uint hash) =>
        Format([AllocatedFirstOctet, secondOctet, (byte)(hash >> 24), (byte)(hash >> 16), (byte)(hash >> 8), (byte)hash]);

    private static string Format(byte[] octets) => string.Join(':', octets.Select(o => o.ToString("x2", CultureInfo.InvariantCulture)));
}
