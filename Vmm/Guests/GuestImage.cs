namespace Sdn.Vmm.Guests;

/// <summary>A program ready to load: byte segments at guest-physical addresses and an entry point.</summary>
public sealed record GuestImage(IReadOnlyList<GuestImage.Segment> Segments, ulong EntryPoint)
{
    /// <summary>A run of bytes to copy to <paramref name="Address"/>, followed by <paramref name="ZeroFill"/> zero bytes (an ELF .bss).</summary>
    public sealed record Segment(ulong Address, byte[] Bytes, ulong ZeroFill = 0)
    {
        public ulong End => Address + (ulong)Bytes.Length + ZeroFill;
    }

    /// <summary>The first address past every segment.</summary>
    public ulong End => Segments.Count == 0 ? 0 : Segments.Max(s => s.End);

    /// <summary>A flat binary loaded and entered at <see cref="GuestLayout.ImageAddress"/>.</summary>
    public static GuestImage Flat(byte[] code) => new([new Segment(GuestLayout.ImageAddress, code)], GuestLayout.ImageAddress);
}
