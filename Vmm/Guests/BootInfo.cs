using System.Buffers.Binary;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Guests;

/// <summary>
/// The boot-info page at <see cref="GuestLayout.BootInfoAddress"/>: everything a guest needs to find its NICs and
/// its job. All fields are little-endian except IP addresses, which are in network order as on the wire.
/// The layout is the ABI documented in docs/vmm.md; the offsets below are its single source.
/// </summary>
public static class BootInfo
{
    public const uint Magic = 0x424E_4453; // "SDNB"
    public const uint Version = 2;
    public const int MaxNics = 4;
    public const int MaxParameters = 8;

    public const int MagicOffset = 0x00;
    public const int VersionOffset = 0x04;
    public const int RamSizeOffset = 0x08;
    public const int TscHzOffset = 0x10;
    public const int FreeMemoryStartOffset = 0x18;
    public const int AppOffset = 0x20;
    public const int NicCountOffset = 0x24;
    public const int ParametersOffset = 0x28;
    public const int NicsOffset = 0x80;
    public const int NicSize = 64;

    public const int NicMmioBase = 0;
    public const int NicMac = 8;
    public const int NicPrefixLength = 14;
    public const int NicGsi = 15;
    public const int NicAddress = 16;
    public const int NicGateway = 20;
    public const int NicMtu = 24;
    public const int NicIpv6PrefixLength = 26;
    public const int NicIpv6Address = 32;
    public const int NicIpv6Gateway = 48;

    public static void Write(GuestMemory memory, ulong tscHz, ulong freeMemoryStart, GuestApp app, IReadOnlyList<ulong> parameters, IReadOnlyList<(NicInfo Nic, ulong MmioBase, uint Gsi, ushort Mtu)> nics)
    {
        if (parameters.Count > MaxParameters || nics.Count > MaxNics)
        {
            throw new VmmException($"a guest takes at most {MaxParameters} parameters and {MaxNics} NICs — got {parameters.Count} and {nics.Count}");
        }

        var page = memory.Slice(GuestLayout.BootInfoAddress, 0x1000);
        page.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(page[MagicOffset..], Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(page[VersionOffset..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(page[RamSizeOffset..], memory.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(page[TscHzOffset..], tscHz);
        BinaryPrimitives.WriteUInt64LittleEndian(page[FreeMemoryStartOffset..], freeMemoryStart);
        BinaryPrimitives.WriteUInt32LittleEndian(page[AppOffset..], (uint)app);
        BinaryPrimitives.WriteUInt32LittleEndian(page[NicCountOffset..], (uint)nics.Count);
        for (var i = 0; i < parameters.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(page[(ParametersOffset + i * 8)..], parameters[i]);
        }

        for (var i = 0; i < nics.Count; i++)
        {
            var (nic, mmioBase, gsi, mtu) = nics[i];
            var entry = page.Slice(NicsOffset + i * NicSize, NicSize);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[NicMmioBase..], mmioBase);
            nic.Mac.CopyTo(entry[NicMac..]);
            entry[NicPrefixLength] = (byte)nic.PrefixLength;
            entry[NicGsi] = (byte)gsi;
            nic.Address.GetAddressBytes().CopyTo(entry[NicAddress..]);
            nic.Gateway.GetAddressBytes().CopyTo(entry[NicGateway..]);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[NicMtu..], mtu);
            if (nic.Ipv6 is { } ipv6)
            {
                entry[NicIpv6PrefixLength] = (byte)ipv6.PrefixLength;
                ipv6.Address.GetAddressBytes().CopyTo(entry[NicIpv6Address..]);
                ipv6.Gateway.GetAddressBytes().CopyTo(entry[NicIpv6Gateway..]);
            }
        }
    }
}
