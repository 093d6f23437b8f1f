namespace Sdn.Contracts.Southbound;

/// <summary>
/// Messages decoded while reading one batch, by their bytes, so that a part many flow-mods repeat (the network's
/// metadata match, an output to a port) is decoded once and shared by all of them. Sharing is safe because nobody
/// changes a decoded message. Only the first <see cref="Capacity"/> distinct parts are kept: a batch whose parts
/// all differ pays for little more than decoding them.
/// </summary>
internal sealed class SharedMessages<T>
    where T : class
{
    private const int Capacity = 256;

    private readonly Dictionary<byte[], T> _byBytes = new(BytesComparer.Instance);

    /// <summary>The message these bytes were decoded to before, or else what <paramref name="decode"/> makes of them with <paramref name="state"/> (null when it cannot).</summary>
    public T? GetOrDecode<TState>(ReadOnlySpan<byte> bytes, TState state, Func<ReadOnlySpan<byte>, TState, T?> decode)
    {
        var byBytes = _byBytes.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (byBytes.TryGetValue(bytes, out var shared))
        {
            return shared;
        }

        var decoded = decode(bytes, state);
        if (decoded is not null && _byBytes.Count < Capacity)
        {
            byBytes.TryAdd(bytes, decoded);
        }

        return decoded;
    }

    /// <summary>Compares byte arrays by content, and looks them up by span without copying it.</summary>
    private sealed class BytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
