using Iced.Intel;
using Sdn.Vmm.Devices.Hypercall;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Guests;

/// <summary>
/// Small routines every built-in application shares: the Internet checksum, decimal printing, reading the TSC,
/// and the spin-then-park wait loop. Routines are emitted once per guest, on first use.
/// Globals every routine may rely on: R13 = boot-info page, R14 = NIC 0's virtio-mmio base, R15 = <see cref="DriverLayout.Base"/>.
/// </summary>
internal static class GuestRoutines
{
    /// <summary>checksum(rdi = bytes, esi = length) → ax: the Internet checksum, ready to store as loaded.</summary>
    public static Label Checksum(GuestAssembler g) => g.Routine("checksum", g =>
    {
        var a = g.Asm;
        Label words = a.CreateLabel(), tail = a.CreateLabel(), fold = a.CreateLabel();
        a.xor(eax, eax);
        a.Label(ref words);
        a.cmp(esi, 2);
        a.jb(tail);
        a.movzx(ecx, __word_ptr[rdi]);
        a.add(eax, ecx);
        a.add(rdi, 2);
        a.sub(esi, 2);
        a.jmp(words);
        a.Label(ref tail);
        a.test(esi, esi);
        a.jz(fold);
        a.movzx(ecx, __byte_ptr[rdi]);
        a.add(eax, ecx);
        a.Label(ref fold);
        for (var i = 0; i < 2; i++)
        {
            a.mov(ecx, eax);
            a.shr(ecx, 16);
            a.and(eax, 0xFFFF);
            a.add(eax, ecx);
        }

        a.not(eax);
        a.and(eax, 0xFFFF);
        a.ret();
    });

    /// <summary>
    /// Emits a serial line built in a buffer and printed with one exit: <paramref name="parts"/> are strings (copied)
    /// and registers (printed in decimal). Clobbers RAX, RCX, RDX, RSI, RDI, R8, R9.
    /// </summary>
    public static void PrintLine(GuestAssembler g, params object[] parts)
    {
        var a = g.Asm;
        a.lea(rdi, __[r15 + DriverLayout.LineBuffer]);
        foreach (var part in parts)
        {
            if (part is AssemblerRegister64 register)
            {
                a.mov(rax, register);
                a.call(AppendDecimal(g));
                continue;
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes((string)part);
            a.lea(rsi, __[g.Constant(bytes)]);
            a.mov(ecx, bytes.Length);
            a.rep.movsb();
        }

        a.mov(__byte_ptr[rdi], (byte)'\n');
        a.lea(rsi, __[r15 + DriverLayout.LineBuffer]);
        a.lea(rcx, __[rdi + 1]);
        a.sub(rcx, rsi);
        g.PrintRsiRcx();
    }

    /// <summary>append_decimal(rax = value, rdi = destination) → rdi: past the digits. Clobbers RAX, RCX, RDX, RSI, R8, R9.</summary>
    private static Label AppendDecimal(GuestAssembler g) => g.Routine("append_decimal", g =>
    {
        var a = g.Asm;
        var digit = a.CreateLabel();
        a.lea(r8, __[rsp - 8]); // digits go below the stack pointer, right to left (no red zone is needed: no interrupts)
        a.mov(r9d, 10);
        a.Label(ref digit);
        a.xor(edx, edx);
        a.div(r9);
        a.add(dl, (byte)'0');
        a.dec(r8);
        a.mov(__byte_ptr[r8], dl);
        a.test(rax, rax);
        a.jnz(digit);
        a.mov(rsi, r8);
        a.lea(rcx, __[rsp - 8]);
        a.sub(rcx, r8);
        a.rep.movsb();
        a.ret();
    });

    /// <summary>Emits RAX = TSC (clobbers RDX).</summary>
    public static void ReadTsc(GuestAssembler g)
    {
        g.Asm.rdtsc();
        g.Asm.shl(rdx, 32);
        g.Asm.or(rax, rdx);
    }

    /// <summary>Emits <paramref name="target"/> = TSC + <paramref name="microseconds"/> (clobbers RAX, RDX).</summary>
    public static void DeadlineIn(GuestAssembler g, AssemblerRegister64 target, AssemblerRegister64 microseconds)
    {
        g.Asm.mov(rax, microseconds);
        g.Asm.mul(__qword_ptr[r15 + DriverLayout.TicksPerMicrosecond]);
        g.Asm.mov(target, rax);
        ReadTsc(g);
        g.Asm.add(target, rax);
    }

    /// <summary>
    /// Emits a wait, with no deadline, until <paramref name="emitCheck"/> jumps to its argument (saves RBX); see
    /// <see cref="PollWithBackoff"/> for <paramref name="emitArm"/> and <paramref name="spinTicks"/>.
    /// </summary>
    public static void WaitUntil(GuestAssembler g, Action<Label> emitCheck, Action emitArm, int spinTicks = DriverLayout.SpinTicks)
    {
        var done = g.Asm.CreateLabel();
        g.Asm.push(rbx);
        PollWithBackoff(g, emitCheck, emitArm, done, spinTicks);
        g.Asm.Label(ref done);
        g.Asm.pop(rbx);
    }

    /// <summary>
    /// Emits a wait loop: runs <paramref name="emitCheck"/> (which jumps to its argument when the wait is over),
    /// spins with PAUSE for the spin budget (the TSC ticks at <paramref name="spinTicks"/> from R15), then parks the
    /// vCPU with the idle hypercall. A park wakes only for an event the driver asked for, so first
    /// <paramref name="emitArm"/> writes the used_event that should end the wait, and the check runs once more
    /// after a fence, in case that event already passed.
    /// With a <paramref name="deadline"/> register (a TSC value, 0 = none), it jumps to <paramref name="timedOut"/> once
    /// that passes. Uses RBX and the deadline register; the caller saves them.
    /// </summary>
    public static void PollWithBackoff(GuestAssembler g, Action<Label> emitCheck, Action emitArm, Label done, int spinTicks = DriverLayout.SpinTicks, (AssemblerRegister64 Register, Label TimedOut)? deadline = null)
    {
        var a = g.Asm;
        Label restart = a.CreateLabel(), poll = a.CreateLabel(), noDeadline = a.CreateLabel(), parkForever = a.CreateLabel();
        emitCheck(done); // a wait that is already over (a busy ring) costs no TSC read
        a.Label(ref restart);
        ReadTsc(g);
        a.add(rax, __qword_ptr[r15 + spinTicks]);
        a.mov(rbx, rax);
        a.Label(ref poll);
        emitCheck(done);
        a.pause();
        ReadTsc(g);
        if (deadline is { } limit)
        {
            a.test(limit.Register, limit.Register);
            a.jz(noDeadline);
            a.cmp(rax, limit.Register);
            a.jae(limit.TimedOut);
            a.Label(ref noDeadline);
        }

        a.cmp(rax, rbx);
        a.jb(poll);

        emitArm();
        a.mfence();
        emitCheck(done);

        // Park: until the deadline if there is one, else until the device raises the event armed above.
        a.xor(edi, edi);
        if (deadline is { } parkLimit)
        {
            a.test(parkLimit.Register, parkLimit.Register);
            a.jz(parkForever);
            ReadTsc(g);
            a.mov(rdi, parkLimit.Register);
            a.sub(rdi, rax);
            a.jbe(parkLimit.TimedOut);
            a.mov(rax, rdi);
            a.xor(edx, edx);
            a.div(__qword_ptr[r15 + DriverLayout.TicksPerMicrosecond]);
            a.lea(rdi, __[rax + 1]);
            a.Label(ref parkForever);
        }

        g.Hypercall(Hypercall.Idle);
        a.jmp(restart);
    }
}
