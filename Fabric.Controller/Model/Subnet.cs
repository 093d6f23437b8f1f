using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sdn.Fabric.Controller.Model;

/// <summary>An IPv4 or IPv6 subnet of a network, with the address arithmetic allocation needs.</summary>
public readonly record struct Subnet(IPNetwork Network)
{
    public AddressFamily Family => Network.BaseAddress.AddressFamily;

    private int Bits => Family == AddressFamily.InterNetwork ? 32 : 128;

    private UInt128 First => ToNumber(Network.BaseAddress);

    private UInt128 Last => First + (Network.PrefixLength == 0 ? UInt128.MaxValue >> (128 - Bits) : (UInt128.One << (Bits - Network.PrefixLength)) - 1);

    /// <summary>Parses a network's subnet, "10.0.1.0/24": host bits zero, and room for hosts (at most /30 or /126).</summary>
    public static Subnet Parse(string field, string text, AddressFamily family) =>
        Parse(field, text, family, family == AddressFamily.InterNetwork ? 30 : 126);

    /// <summary>Parses a CIDR that matches addresses, "10.0.1.7/32" included.</summary>
    public static Subnet ParseMatch(string field, string text, AddressFamily family) =>
        Parse(field, text, family, family == AddressFamily.InterNetwork ? 32 : 128);

    private static Subnet Parse(string field, string text, AddressFamily family, int maxPrefix)
    {
        var familyName = family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryParseStrict(text[..slash], family, out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > (family == AddressFamily.InterNetwork ? 32 : 128))
        {
            throw ModelException.Invalid($"{field} '{text}' is not an {familyName} CIDR such as {(family == AddressFamily.InterNetwork ? "10.0.1.0/24" : "fd00:1::/64")}", field);
        }

        if (prefix > maxPrefix)
        {
            throw ModelException.Invalid($"{field} '{text}' is too small: the prefix may be at most /{maxPrefix}", field);
        }

        var network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            throw ModelException.Invalid($"{field} '{text}' has host bits set; did you mean {network}?", field);
        }

        return new Subnet(network);
    }

    public static IPAddress ParseAddress(string field, string text, AddressFamily family)
    {
        if (!TryParseStrict(text, family, out var address))
        {
            throw ModelException.Invalid($"{field} '{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", field);
        }

        return address;
    }

    public bool Contains(IPAddress address) => Network.Contains(address);

    public bool Overlaps(Subnet other) => Family == other.Family && (Contains(other.Network.BaseAddress) || other.Contains(Network.BaseAddress));

    /// <summary>The network address, and for IPv4 the broadcast address: neither can be a host's.</summary>
    public bool IsReserved(IPAddress address) =>
        address.Equals(Network.BaseAddress) || (Family == AddressFamily.InterNetwork && ToNumber(address) == Last);

    public IPAddress FirstHost => FromNumber(First + 1);

    /// <summary>The lowest host address not in <paramref name="taken"/>, or null when the subnet is full.</summary>
    public IPAddress? FirstFreeHost(IReadOnlySet<IPAddress> taken)
    {
        var lastHost = Family == AddressFamily.InterNetwork ? Last - 1 : Last;
        for (var n = First + 1; n <= lastHost; n++)
        {
            var candidate = FromNumber(n);
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public override string ToString() => Network.ToString();

    /// <summary>Only the usual notations: IPAddress.TryParse also takes "10.1" and "10.0.1" for 10.0.0.1.</summary>
    private static bool TryParseStrict(string text, AddressFamily family, out IPAddress address) =>
        IPAddress.TryParse(text, out address!) && address.AddressFamily == family && !text.Contains('/', StringComparison.Ordinal)
        && (family != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private IPAddress FromNumber(UInt128 number)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (Family == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)number);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, number);
        return new IPAddress(bytes);
    }
}
