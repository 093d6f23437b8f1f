using System.Buffers.Binary;

namespace Sdn.Vmm.Devices.Hypercall;

/// <summary>The port-I/O device behind <see cref="Hypercall.Port"/>: a 32-bit OUT carries the function number to the VM.</summary>
internal sealed class HypercallPort(Action<uint> onCall) : IBusDevice
{
    public void Read(ulong offset, Span<byte> data) => data.Clear();

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length == 4)
        {
            onCall(BinaryPrimitives.ReadUInt32LittleEndian(data));
        }
    }
}
