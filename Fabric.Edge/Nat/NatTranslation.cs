using System.Buffers.Binary;
using System.Net;

namespace Sdn.Fabric.Edge.Nat;

/// <summary>
/// What a ct commit translates a new IPv4 or IPv6 connection to: its source (SNAT) or destination (DNAT) address, and
/// for SNAT the ports to pick the source port (an ICMP or ICMPv6 echo's identifier) from.
/// </summary>
/// <remarks>
/// With a port range, every connection gets a port of the range no other connection translated to the same address
/// holds, so each reply finds its own. Without one, the connection keeps its port when no other holds it (1:1 NAT,
/// as for a floating IP), and takes one from <see cref="NatPortPool.DefaultFirst"/>-<see cref="NatPortPool.DefaultLast"/>
/// when another does. DNAT changes the address alone. An IPv6 translation (NAT66, as OVN's gateway routers do it)
/// translates IPv6 connections only, and an IPv4 one IPv4 connections only.
/// </remarks>
/// <param name="Address">An IPv4 address in the low 32 bits, or an IPv6 address with <paramref name="IsIpv6"/>.</param>
/// <param name="ReplyZone">
/// The zone the reply way's packets are looked up in, when not the commit's own: a gateway's replies arrive from
/// outside, where no tenant (the commit's zone) can be told, so they are looked up in the external network's zone,
/// as with Linux's directional conntrack zones.
/// </param>
public readonly record struct NatTranslation(NatSide Side, UInt128 Address, ushort FirstPort = 0, ushort LastPort = 0, ushort? ReplyZone = null, bool IsIpv6 = false)
{
    /// <summary>Whether the translation names the ports to pick from.</summary>
    public bool HasPortRange => FirstPort != 0;

    /// <summary>Why the translation cannot be used, or null when it can.</summary>
    public string? Problem =>
        Address == 0 ? $"a NAT address of {(IsIpv6 ? "::" : "0.0.0.0")} translates to nothing; give the address to translate to"
        : !IsIpv6 && Address > uint.MaxValue ? "an IPv4 NAT address holds 32 bits"
        : HasPortRange && Side == NatSide.Destination ? "DNAT changes the address alone: leave out the port range"
        : HasPortRange && FirstPort > LastPort ? $"the NAT port range {FirstPort}-{LastPort} is empty: give the lower port first"
        : !HasPortRange && LastPort != 0 ? "a NAT port range needs a first port of 1 or more"
        : null;

    /// <summary>
    /// "src=198.51.100.2:32768-60999", as Open vSwitch writes a nat argument (an IPv6 address in brackets when a port
    /// range follows), and ",reply_zone=Z" when it has one.
    /// </summary>
    public override string ToString()
    {
        var side = Side == NatSide.Source ? "src" : "dst";
        var zone = ReplyZone is { } replyZone ? $",reply_zone={replyZone}" : string.Empty;
        var address = AddressText;
        return HasPortRange
            ? $"{side}={(IsIpv6 ? $"[{address}]" : address)}:{FirstPort}-{LastPort}{zone}"
            : $"{side}={address}{zone}";
    }

    private string AddressText
    {
        get
        {
            if (!IsIpv6)
            {
                return new IPAddress(BinaryPrimitives.ReverseEndianness((uint)Address)).ToString();
            }

            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(bytes, Address);
            return new IPAddress(bytes).ToString();
        }
    }
}
