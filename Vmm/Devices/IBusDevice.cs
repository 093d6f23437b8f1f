namespace Sdn.Vmm.Devices;

/// <summary>A device that answers guest port-I/O or MMIO accesses to its range. Offsets are relative to the range start.</summary>
public interface IBusDevice
{
    void Read(ulong offset, Span<byte> data);

    void Write(ulong offset, ReadOnlySpan<byte> data);
}
