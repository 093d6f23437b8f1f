using System.Globalization;
using Google.Protobuf.Collections;
using Sdn.Contracts;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// What names a flow entry within a node, as OpenFlow defines it: table, priority and match. The match's
/// fields are taken in field order, so two entries that list the same fields differently are the same entry.
/// Identities order by table, priority, then field by field, which is the order batches list flows in.
/// </summary>
/// <remarks>
/// Every flow of every batch is keyed on both sides of the southbound stream, so an identity is the entry
/// itself with a hash taken once, compared field by field: keying a flow allocates nothing. That is safe
/// because messages are never changed once built. <see cref="ToString"/> spells the identity out, for messages.
/// </remarks>
public readonly struct FlowIdentity : IEquatable<FlowIdentity>, IComparable<FlowIdentity>
{
    private const int StackLimit = 512;

    private readonly FlowEntry _entry;
    private readonly int _hash;

    private FlowIdentity(FlowEntry entry)
    {
        _entry = entry;
        _hash = HashOf(entry);
    }

    public static FlowIdentity Of(FlowEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new FlowIdentity(entry);
    }

    public static bool operator ==(FlowIdentity left, FlowIdentity right) => left.Equals(right);

    public static bool operator !=(FlowIdentity left, FlowIdentity right) => !left.Equals(right);

    public static bool operator <(FlowIdentity left, FlowIdentity right) => left.CompareTo(right) < 0;

    public static bool operator <=(FlowIdentity left, FlowIdentity right) => left.CompareTo(right) <= 0;

    public static bool operator >(FlowIdentity left, FlowIdentity right) => left.CompareTo(right) > 0;

    public static bool operator >=(FlowIdentity left, FlowIdentity right) => left.CompareTo(right) >= 0;

    public bool Equals(FlowIdentity other) => _hash == other._hash && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is FlowIdentity other && Equals(other);

    public override int GetHashCode() => _hash;

    public int CompareTo(FlowIdentity other)
    {
        if (ReferenceEquals(_entry, other._entry))
        {
            return 0;
        }

        var order = _entry.TableId.CompareTo(other._entry.TableId);
        if (order == 0)
        {
            order = _entry.Priority.CompareTo(other._entry.Priority);
        }

        if (order != 0)
        {
            return order;
        }

        var mine = InFieldOrder(_entry.Match);
        var theirs = InFieldOrder(other._entry.Match);
        for (var i = 0; i < mine.Count && i < theirs.Count; i++)
        {
            order = Compare(mine[i], theirs[i]);
            if (order != 0)
            {
                return order;
            }
        }

        return mine.Count.CompareTo(theirs.Count);
    }

    /// <summary>Table, priority and each field with its value and mask in hex, such as <c>003/00100/2=00000001&amp;0000FFFF/12=0200000000AB&amp;</c>.</summary>
    public override string ToString()
    {
        var fields = InFieldOrder(_entry.Match);

        // Table and priority take at most 10 digits each; a field at most 10 digits, 3 separators and its hex bytes.
        var longest = 21;
        foreach (var field in fields)
        {
            longest += 13 + (2 * (field.Value.Length + field.Mask.Length));
        }

        var text = longest <= StackLimit ? stackalloc char[StackLimit] : new char[longest];
        var length = Format(text, _entry.TableId, "D3");
        text[length++] = '/';
        length += Format(text[length..], _entry.Priority, "D5");
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

    /// <summary>Summed over the fields, so that the order they are listed in does not change it.</summary>
    private static int HashOf(FlowEntry entry)
    {
        var fields = 0;
        foreach (var field in entry.Match)
        {
            var hash = default(HashCode);
            hash.Add((int)field.Field);
            hash.AddBytes(field.Value.Span);
            hash.Add(field.Value.Length);
            hash.AddBytes(field.Mask.Span);
            fields += hash.ToHashCode();
        }

        return HashCode.Combine(entry.TableId, entry.Priority, fields);
    }

    /// <summary>The match itself when its fields are listed in field order, as the compiler lists them; else a sorted copy.</summary>
    private static IReadOnlyList<FieldMatch> InFieldOrder(RepeatedField<FieldMatch> match)
    {
        for (var i = 1; i < match.Count; i++)
        {
            if (match[i - 1].Field >= match[i].Field)
            {
                var sorted = match.ToArray();
                Array.Sort(sorted, Compare);
                return sorted;
            }
        }

        return match;
    }

    private static int Compare(FieldMatch x, FieldMatch y)
    {
        var order = ((int)x.Field).CompareTo((int)y.Field);
        if (order == 0)
        {
            order = x.Value.Span.SequenceCompareTo(y.Value.Span);
        }

        return order != 0 ? order : x.Mask.Span.SequenceCompareTo(y.Mask.Span);
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
