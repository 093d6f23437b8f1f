using System.Globalization;
using System.Text;
using Sdn.Vmm.Kvm;

namespace Sdn.Vmm.Machine;

/// <summary>What the VMM knows about a guest it stopped: the reason, the registers and the code around RIP.</summary>
public sealed record VmFaultReport(VmFaultReason Reason, string Detail, KvmRegs Registers, ulong Cr0, ulong Cr3, ulong Cr4, ulong Efer, IReadOnlyList<string> Disassembly)
{
    public override string ToString()
    {
        var r = Registers;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"guest stopped: {Reason}: {Detail}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  rip={r.Rip:x16} rsp={r.Rsp:x16} rflags={r.Rflags:x16}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  rax={r.Rax:x16} rbx={r.Rbx:x16} rcx={r.Rcx:x16} rdx={r.Rdx:x16}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  rsi={r.Rsi:x16} rdi={r.Rdi:x16} rbp={r.Rbp:x16} r8 ={r.R8:x16}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  r9 ={r.R9:x16} r10={r.R10:x16} r11={r.R11:x16} r12={r.R12:x16}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  r13={r.R13:x16} r14={r.R14:x16} r15={r.R15:x16}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  cr0={Cr0:x} cr3={Cr3:x} cr4={Cr4:x} efer={Efer:x}");
        text.AppendLine("  code:");
        foreach (var line in Disassembly)
        {
            text.Append("    ").AppendLine(line);
        }

        return text.ToString();
    }
}
