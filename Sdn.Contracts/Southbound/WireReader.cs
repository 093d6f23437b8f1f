using System.Buffers.Binary;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// Reads protobuf's wire format from a span, field by field, as <see cref="ControllerMessageDecoder"/> needs it.
/// Every read returns false on bytes that are not a whole, well-formed field; it never throws.
/// </summary>
internal ref struct WireReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    public readonly bool AtEnd => _position == _bytes.Length;

    /// <summary>The next field's number and wire type; false for a truncated tag or field number 0.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag > uint.MaxValue || tag >> 3 == 0)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    /// <summary>A varint of up to ten bytes; what lies past 64 bits is dropped, as protobuf's own readers drop it.</summary>
    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && _position < _bytes.Length; shift += 7)
        {
            var next = _bytes[_position++];
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    public bool TryReadFixed64(out ulong value)
    {
        if (_bytes.Length - _position < sizeof(ulong))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[_position..]);
        _position += sizeof(ulong);
        return true;
    }

    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_bytes.Length - _position))
        {
            return false;
        }

        payload = _bytes.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>Steps over the value of a field of <paramref name="wireType"/>; false for groups, which proto3 has none of.</summary>
    public bool TrySkip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(out _);
            case Fixed64:
                return TryReadFixed64(out _);
            case LengthDelimited:
                return TryReadLengthDelimited(out _);
            case Fixed32 when _bytes.Length - _position >= sizeof(uint):
                _position += sizeof(uint);
                return true;
            default:
                return false;
        }
    }

    /// <summary>How many times field <paramref name="field"/> occurs in <paramref name="message"/>, counted up to where the bytes stop making sense.</summary>
    public static int CountOf(ReadOnlySpan<byte> message, int field)
    {
        var reader = new WireReader(message);
        var count = 0;
        while (reader.TryReadTag(out var number, out var wireType) && reader.TrySkip(wireType))
        {
            count += number == field ? 1 : 0;
        }

        return count;
    }
}
