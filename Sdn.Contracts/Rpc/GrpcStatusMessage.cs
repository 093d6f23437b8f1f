using System.Text;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The grpc-message value: the UTF-8 bytes of the status message, with every byte outside
/// printable ASCII (0x20–0x7E) and '%' itself written as %XX. Decoding is lenient: a malformed
/// escape is kept as it is rather than failing the call.
/// </summary>
internal static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return text.ToString();
    }

    public static string Decode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.FromHexString(value.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, 1)));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
