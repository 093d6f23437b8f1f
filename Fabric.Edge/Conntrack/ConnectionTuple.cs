using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;

namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>
/// What names one direction of a connection: the zone (the tenant), the IP protocol and the addresses and ports as
/// the packet carries them. IPv4 addresses sit in the low 32 bits. An ICMP echo exchange has its identifier as both
/// ports, so that reversing the tuple finds the reply; a protocol without ports has zeros.
/// </summary>
public readonly record struct ConnectionTuple(ushort Zone, byte Protocol, bool IsIpv6, UInt128 Source, UInt128 Destination, ushort SourcePort, ushort DestinationPort)
{
    /// <summary>The tuple the other direction's packets carry.</summary>
    public ConnectionTuple Reversed => this with { Source = Destination, Destination = Source, SourcePort = DestinationPort, DestinationPort = SourcePort };

    /// <summary>True when this tuple is <paramref name="other"/>, or, with <paramref name="reversed"/>, its <see cref="Reversed"/>; no copy is made.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(in ConnectionTuple other, bool reversed) =>
        Zone == other.Zone && Protocol == other.Protocol && IsIpv6 == other.IsIpv6
        && (reversed
            ? Source == other.Destination && Destination == other.Source && SourcePort == other.DestinationPort && DestinationPort == other.SourcePort
            : Source == other.Source && Destination == other.Destination && SourcePort == other.SourcePort && DestinationPort == other.DestinationPort);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash64()
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = ((ulong)Zone << 48) | ((ulong)Protocol << 40) | (IsIpv6 ? 1UL << 32 : 0) | ((ulong)SourcePort << 16) | DestinationPort;
        hash = (hash ^ (ulong)(Source >> 64)) * Multiplier;
        hash = (hash ^ (ulong)Source) * Multiplier;
        hash = (hash ^ (ulong)(Destination >> 64)) * Multiplier;
        hash = (hash ^ (ulong)Destination) * Multiplier;
        return hash ^ (hash >> 29);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"zone={Zone} proto={Protocol} {Address(Source)}:{SourcePort} -> {Address(Destination)}:{DestinationPort}");

    private string Address(UInt128 address)
    {
        if (!IsIpv6)
        {
            return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)address)).ToString();
        }

        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes).ToString();
    }
}
