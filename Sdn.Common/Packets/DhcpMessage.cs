using System.Buffers.Binary;

namespace Sdn.Common.Packets;

/// <summary>
/// A DHCPv4 message (RFC 2131 §2), as much of it as a server that answers from a fixed lease needs.
/// </summary>
/// <remarks>
/// <code>
///  0       1       2       3
/// +-------+-------+-------+-------+
/// |  op   | htype | hlen  | hops  |
/// |              xid              |
/// |     secs      |     flags     |
/// |            ciaddr             |
/// |            yiaddr             |
/// |            siaddr             |
/// |            giaddr             |
/// |       chaddr (16 bytes)       |
/// |       sname (64 bytes)        |
/// |        file (128 bytes)       |
/// |  magic cookie 99.130.83.99    |
/// |      options (variable)       |
/// </code>
/// </remarks>
public static class DhcpMessage
{
    public const ushort ServerPort = 67;
    public const ushort ClientPort = 68;

    public const byte Discover = 1;
    public const byte Offer = 2;
    public const byte Request = 3;
    public const byte Ack = 5;

    /// <summary>Everything from op through chaddr: what a reply copies from its request.</summary>
    public const int HeaderSize = 44;

    /// <summary>The fixed part and the magic cookie; options start here.</summary>
    public const int OptionsOffset = 240;

    /// <summary>A reply is padded to the smallest BOOTP message (RFC 1542 §2.1), which old clients insist on.</summary>
    public const int ReplySize = 300;

    public const int XidOffset = 4;
    public const int FlagsOffset = 10;
    public const int CiaddrOffset = 12;
    public const int YiaddrOffset = 16;
    public const int SiaddrOffset = 20;
    public const int GiaddrOffset = 24;
    public const int ChaddrOffset = 28;
    public const uint MagicCookie = 0x63825363;

    public const byte SubnetMaskOption = 1;
    public const byte RouterOption = 3;
    public const byte DnsServerOption = 6;
    public const byte InterfaceMtuOption = 26;
    public const byte LeaseTimeOption = 51;
    public const byte MessageTypeOption = 53;
    public const byte ServerIdentifierOption = 54;
    public const byte EndOption = 255;

    private const byte BootRequest = 1;
    private const byte BootReply = 2;
    private const byte Ethernet = 1;
    private const byte MacLength = 6;
    private const byte PadOption = 0;

    /// <summary>
    /// The message type (option 53) of a client's request from an Ethernet host; false for anything else: a reply,
    /// another hardware type, a missing magic cookie, options that run past the end, or no message type.
    /// </summary>
    public static bool TryReadRequestType(ReadOnlySpan<byte> message, out byte type)
    {
        type = 0;
        if (message.Length < OptionsOffset || message[0] != BootRequest || message[1] != Ethernet || message[2] != MacLength
            || BinaryPrimitives.ReadUInt32BigEndian(message[(OptionsOffset - 4)..]) != MagicCookie)
        {
            return false;
        }

        var options = message[OptionsOffset..];
        var at = 0;
        while (at < options.Length && options[at] != EndOption)
        {
            if (options[at] == PadOption)
            {
                at++;
                continue;
            }

            if (at + 2 > options.Length || at + 2 + options[at + 1] > options.Length)
            {
                return false;
            }

            if (options[at] == MessageTypeOption && options[at + 1] == 1)
            {
                type = options[at + 2];
            }

            at += 2 + options[at + 1];
        }

        return type != 0;
    }

    /// <summary>
    /// Writes the <see cref="ReplySize"/>-byte reply of <paramref name="type"/> to the request whose first
    /// <see cref="HeaderSize"/> bytes are <paramref name="request"/>: xid, flags, giaddr and chaddr copied, ciaddr
    /// kept in an ACK only (RFC 2131 table 3), the lease's options after the cookie, the DNS server's when
    /// <paramref name="dnsServer"/> is not 0.
    /// </summary>
    public static void WriteReply(Span<byte> destination, ReadOnlySpan<byte> request, byte type, uint client, int prefixLength, uint server, ushort mtu, uint leaseSeconds, uint dnsServer)
    {
        var reply = destination[..ReplySize];
        reply.Clear();
        request[..HeaderSize].CopyTo(reply);
        reply[0] = BootReply;
        reply[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(reply[8..], 0);
        if (type != Ack)
        {
            BinaryPrimitives.WriteUInt32BigEndian(reply[CiaddrOffset..], 0);
        }

        BinaryPrimitives.WriteUInt32BigEndian(reply[YiaddrOffset..], client);
        BinaryPrimitives.WriteUInt32BigEndian(reply[SiaddrOffset..], server);
        BinaryPrimitives.WriteUInt32BigEndian(reply[(OptionsOffset - 4)..], MagicCookie);

        var options = reply[OptionsOffset..];
        options[0] = MessageTypeOption;
        options[1] = 1;
        options[2] = type;
        var at = 3;
        at += WriteUInt32Option(options[at..], ServerIdentifierOption, server);
        at += WriteUInt32Option(options[at..], LeaseTimeOption, leaseSeconds);
        at += WriteUInt32Option(options[at..], SubnetMaskOption, prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength));
        at += WriteUInt32Option(options[at..], RouterOption, server);
        if (dnsServer != 0)
        {
            at += WriteUInt32Option(options[at..], DnsServerOption, dnsServer);
        }

        options[at] = InterfaceMtuOption;
        options[at + 1] = sizeof(ushort);
        BinaryPrimitives.WriteUInt16BigEndian(options[(at + 2)..], mtu);
        options[at + 4] = EndOption;
    }

    private static int WriteUInt32Option(Span<byte> destination, byte code, uint value)
    {
        destination[0] = code;
        destination[1] = sizeof(uint);
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], value);
        return 2 + sizeof(uint);
    }
}
