using System.Buffers.Binary;
using Iced.Intel;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Tests.Guests;

public class UserImageTests
{
    private const ulong LoadAddress = 0x20_0000;

    [KvmFact]
    public void A_static_elf64_boots_against_the_boot_info_abi()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sdn-user-{Guid.NewGuid():N}.elf");
        File.WriteAllBytes(path, StaticElf(UserProgram(LoadAddress), LoadAddress, bssBytes: 0x1000));
        try
        {
            var image = ElfLoader.LoadFile(path);
            Assert.Equal(LoadAddress, image.EntryPoint);

            using var vm = new VirtualMachine(new VmOptions { Name = "elf" });
            vm.Boot(image, GuestApp.User, [42]);

            Assert.True(vm.WaitForExit(TimeSpan.FromSeconds(10)), vm.Serial.Log);
            Assert.True(vm.State == VmState.Exited, vm.Fault?.ToString());
            Assert.Equal(["user image up"], vm.Serial.Lines);
            Assert.Equal((ulong)BootInfo.Magic, vm.LastReport(ReportKey.Ready));
            Assert.Equal(42ul, vm.ExitCode); // parameter 0, read from the boot info
        }
        finally
        {
            File.Delete(path);
        }
    }

    [KvmFact]
    public void A_flat_image_file_is_entered_at_its_first_byte()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sdn-user-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, UserProgram(GuestLayout.ImageAddress));
        try
        {
            using var vm = new VirtualMachine(new VmOptions { Name = "flat" });
            vm.Boot(ElfLoader.LoadFile(path), GuestApp.User, [7]);

            Assert.True(vm.WaitForExit(TimeSpan.FromSeconds(10)), vm.Serial.Log);
            Assert.Equal(7ul, vm.ExitCode);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [KvmFact]
    public void An_image_below_the_lowest_load_address_is_refused_and_the_vm_can_still_boot()
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "low" });
        var low = new GuestImage([new GuestImage.Segment(0x1000, [0x90])], 0x1000);

        var error = Assert.Throws<VmmException>(() => vm.Boot(low));

        Assert.Contains("link the image above 0x80000", error.Message, StringComparison.Ordinal);
        Assert.Equal(VmState.Created, vm.State);
        vm.Boot(GuestImage.Flat(UserProgram(GuestLayout.ImageAddress)), GuestApp.User, [3]);
        Assert.True(vm.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(3ul, vm.ExitCode);
    }

    [Fact]
    public void A_dynamic_executable_is_refused_with_a_fix()
    {
        var elf = StaticElf([0x90], LoadAddress, 0);
        elf[16] = 3; // ET_DYN

        var error = Assert.Throws<VmmException>(() => ElfLoader.Load(elf));

        Assert.Contains("link with -static -no-pie", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Position-dependent code for <paramref name="origin"/>: prints, reports the boot-info magic, exits with parameter 0.</summary>
    private static byte[] UserProgram(ulong origin)
    {
        var a = new Assembler(64);
        var text = a.CreateLabel();
        a.mov(rbx, rdi); // RDI = boot info at entry
        a.lea(rsi, __[text]);
        a.mov(ecx, 14);
        a.mov(dx, (ushort)0x3F8);
        a.rep.outsb();
        a.mov(esi, __dword_ptr[rbx + BootInfo.MagicOffset]);
        a.mov(edi, (uint)ReportKey.Ready);
        a.mov(eax, 1);
        a.mov(dx, (ushort)0x500);
        a.@out(dx, eax);
        a.mov(rdi, __qword_ptr[rbx + BootInfo.ParametersOffset]);
        a.mov(eax, 0);
        a.@out(dx, eax);
        a.Label(ref text);
        a.db("user image up\n"u8.ToArray());
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), origin);
        return stream.ToArray();
    }

    /// <summary>A minimal static ELF64 executable: one PT_LOAD of <paramref name="code"/> at <paramref name="address"/>, plus a .bss.</summary>
    private static byte[] StaticElf(byte[] code, ulong address, ulong bssBytes)
    {
        const int Headers = 64 + 56;
        var file = new byte[Headers + code.Length];
        var span = file.AsSpan();
        "\u007fELF"u8.CopyTo(span);
        span[4] = 2; // ELF64
        span[5] = 1; // little-endian
        span[6] = 1; // version
        BinaryPrimitives.WriteUInt16LittleEndian(span[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(span[18..], 0x3E); // x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], address); // entry
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], 64); // program headers
        BinaryPrimitives.WriteUInt16LittleEndian(span[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], 1);
        var load = span[64..];
        BinaryPrimitives.WriteUInt32LittleEndian(load, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(load[4..], 5); // R+X
        BinaryPrimitives.WriteUInt64LittleEndian(load[8..], Headers); // offset
        BinaryPrimitives.WriteUInt64LittleEndian(load[16..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(load[24..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(load[32..], (ulong)code.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(load[40..], (ulong)code.Length + bssBytes);
        code.CopyTo(span[Headers..]);
        return file;
    }
}
