using System.Globalization;
using Google.Protobuf.Collections;
using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Core.Southbound;

/// <summary>
/// What names a flow entry within a node, as OpenFlow defines it: table, priority and match. The match's
/// fields are taken in field order, so two entries that list the same fields differently are the same entry.
/// </summary>
/// <remarks>
/// Every flow of every batch is named on both sides of the southbound stream, so the name is written in one
/// pass into stack space and allocates only the string itself.
/// </remarks>
public static class FlowIdentity
{
    private const int StackLimit = 512;

    public static string Of(FlowEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        IReadOnlyList<FieldMatch> fields = IsInFieldOrder(entry.Match)
            ? entry.Match
            : [.. entry.Match.OrderBy(m => m.Field).ThenBy(m => m.Value.ToBase64(), StringComparer.Ordinal)];

        // Table and priority take at most 10 digits each; a field at most 10 digits, 3 separators and its hex bytes.
        var longest = 21;
        foreach (var field in fields)
        {
            longest += 13 + (2 * (field.Value.Length + field.Mask.Length));
        }

        var text = longest <= StackLimit ? stackalloc char[StackLimit] : new char[longest];
        var length = Format(text, entry.TableId, "D3");
        text[length++] = '/';
        length += Format(text[length..], entry.Priority, "D5");
        foreach (var field in fields)
        {
            text[length++] = '/';
            length += Format(text[length..], (int)field.Field, null);
            text[length++] = '=';
            length += Hex(text[length..], field.Value.Span);
            text[length++] = '&';
            length += Hex(text[length..], field.Mask.Span);
        }

        return new string(text[..length]);
    }

    private static bool IsInFieldOrder(RepeatedField<FieldMatch> match)
    {
        for (var i = 1; i < match.Count; i++)
        {
            if (match[i - 1].Field >= match[i].Field)
            {
                return false;
            }
        }

        return true;
    }

    private static int Format<T>(Span<char> destination, T value, string? format)
        where T : ISpanFormattable
    {
        value.TryFormat(destination, out var written, format, CultureInfo.InvariantCulture);
        return written;
    }

    private static int Hex(Span<char> destination, ReadOnlySpan<byte> bytes)
    {
        Convert.TryToHexString(bytes, destination, out var written);
        return written;
    }
}
