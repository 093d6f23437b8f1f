using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

/// <summary>Runs one layer's parser over some bytes and reports its status; the parsed view stays inside.</summary>
internal delegate ParseStatus LayerParser(ReadOnlySpan<byte> bytes);

/// <summary>
/// One layer's parser with a well-formed input and the number of bytes it needs (the header, or the length the
/// header declares), so that one sweep can check every layer the same way.
/// </summary>
internal sealed record LayerCase(string Layer, LayerParser Parse, byte[] Valid, int RequiredLength)
{
    public override string ToString() => Layer;

    /// <summary>Every prefix shorter than <see cref="RequiredLength"/> is truncated; the rest parse.</summary>
    public void AssertTruncationSweep()
    {
        for (var length = 0; length <= Valid.Length; length++)
        {
            var expected = length < RequiredLength ? ParseStatus.Truncated : ParseStatus.Ok;
            Assert.True(expected == Parse(Valid.AsSpan(0, length)), $"{Layer}: {length} of {Valid.Length} bytes should be {expected}");
        }
    }

    /// <summary>The valid input with one byte changed is reported as <paramref name="expected"/>.</summary>
    public void AssertWithByte(int index, byte value, ParseStatus expected)
    {
        var bytes = (byte[])Valid.Clone();
        bytes[index] = value;
        Assert.Equal(expected, Parse(bytes));
    }
}
