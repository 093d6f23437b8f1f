namespace Sdn.Vmm.Devices;

/// <summary>
/// An address space (port I/O or MMIO) split into device ranges. Accesses nobody claims read as all ones,
/// are ignored on write, and are counted, so a guest poking at random addresses cannot hurt the VMM.
/// </summary>
public sealed class DeviceBus
{
    private readonly List<(ulong Start, ulong Length, IBusDevice Device)> _ranges = [];
    private long _unclaimedAccesses;

    /// <summary>Accesses that hit no device.</summary>
    public long UnclaimedAccesses => Interlocked.Read(ref _unclaimedAccesses);

    public void Register(ulong start, ulong length, IBusDevice device)
    {
        foreach (var (otherStart, otherLength, _) in _ranges)
        {
            if (start < otherStart + otherLength && otherStart < start + length)
            {
                throw new VmmException($"device range 0x{start:x}+0x{length:x} overlaps 0x{otherStart:x}+0x{otherLength:x} — give each device its own range");
            }
        }

        _ranges.Add((start, length, device));
    }

    public void Read(ulong address, Span<byte> data)
    {
        if (TryFind(address, out var start, out var device))
        {
            device.Read(address - start, data);
            return;
        }

        data.Fill(0xFF);
        Interlocked.Increment(ref _unclaimedAccesses);
    }

    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (TryFind(address, out var start, out var device))
        {
            device.Write(address - start, data);
            return;
        }

        Interlocked.Increment(ref _unclaimedAccesses);
    }

    private bool TryFind(ulong address, out ulong start, out IBusDevice device)
    {
        foreach (var range in _ranges)
        {
            if (address - range.Start < range.Length)
            {
                start = range.Start;
                device = range.Device;
                return true;
            }
        }

        start = 0;
        device = null!;
        return false;
    }
}
