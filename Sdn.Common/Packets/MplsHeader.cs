using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The MPLS header: a label stack (RFC 3032 §2.1), top entry first, ending with the entry whose S bit is set.
/// See <see cref="MplsLabelStackEntry"/> for one entry's layout. The stack does not say what its payload is.
/// </summary>
public readonly ref struct MplsHeader
{
    /// <summary>Deeper stacks are reported as malformed; the fabric itself pushes two labels.</summary>
    public const int MaxDepth = 16;

    private readonly ReadOnlySpan<byte> _bytes;

    private MplsHeader(ReadOnlySpan<byte> bytes, int depth)
    {
        _bytes = bytes;
        Depth = depth;
    }

    /// <summary>How many entries the stack holds, bottom of stack included.</summary>
    public int Depth { get; }

    public int Length => Depth * MplsLabelStackEntry.Size;

    /// <summary>The top entry as encoded on the wire.</summary>
    public uint TopEncoded => BinaryPrimitives.ReadUInt32BigEndian(_bytes);

    public MplsLabelStackEntry Entry(int index) =>
        MplsLabelStackEntry.Decode(BinaryPrimitives.ReadUInt32BigEndian(_bytes[(index * MplsLabelStackEntry.Size)..]));

    /// <summary>What follows the bottom of the stack.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[Length..];

    /// <summary>Walks the entries up to the one with the S bit set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> bytes, out MplsHeader stack)
    {
        stack = default;
        for (var depth = 1; depth <= MaxDepth; depth++)
        {
            var end = depth * MplsLabelStackEntry.Size;
            if (bytes.Length < end)
            {
                return ParseStatus.Truncated;
            }

            if ((bytes[end - 2] & 1) != 0)
            {
                stack = new MplsHeader(bytes, depth);
                return ParseStatus.Ok;
            }
        }

        return ParseStatus.Malformed;
    }

    /// <summary>
    /// Writes <paramref name="entries"/> top first, setting the S bit on the last one only, so the stack is
    /// well formed whatever the entries say. False when the destination is too small or the stack empty or too deep.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, ReadOnlySpan<MplsLabelStackEntry> entries)
    {
        if (entries.IsEmpty || entries.Length > MaxDepth || destination.Length < entries.Length * MplsLabelStackEntry.Size)
        {
            return false;
        }

        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i] with { BottomOfStack = i == entries.Length - 1 };
            entry.TryWrite(destination[(i * MplsLabelStackEntry.Size)..]);
        }

        return true;
    }
}
