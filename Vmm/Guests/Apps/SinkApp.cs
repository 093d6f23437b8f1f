using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using F = Sdn.Vmm.Guests.FrameOffsets;

namespace Sdn.Vmm.Guests.Apps;

/// <summary>
/// sink: counts UDP frames (to one port, or any when the port is 0) and checks the sequence numbers pktgen puts
/// at the start of the payload. A jump ahead counts the skipped numbers as lost; a number from the past counts as
/// reordered (and no longer lost). Once the sequence reaches <c>count</c> it reports received, lost, reordered and
/// the TSC ticks from the first to the last frame, prints a summary and exits. Parameters: count, UDP port.
/// </summary>
internal static class SinkApp
{
    private const int Expected = BootInfo.ParametersOffset;
    private const int Port = BootInfo.ParametersOffset + 8;

    /// <summary>
    /// An empty ring parks until this many frames are there (or all still expected). A quarter ring: the other three
    /// quarters keep the device busy while the vCPU wakes (~50 µs), where half a ring ran out and stalled the sender.
    /// </summary>
    private const int WakeBatch = DriverLayout.QueueSize / 4;

    public static void Emit(GuestAssembler g)
    {
        var a = g.Asm;
        Label next = a.CreateLabel(), anyPort = a.CreateLabel(), counted = a.CreateLabel(), gap = a.CreateLabel(), inOrder = a.CreateLabel();
        Label release = a.CreateLabel(), done = a.CreateLabel();
        var waitRx = GuestNetDriver.WaitRx(g, DriverLayout.BatchSpinTicks);
        var rxRelease = GuestNetDriver.RxRelease(g);
        const int Lost = DriverLayout.Counter0;
        const int Reordered = DriverLayout.Counter1;

        a.xor(r12d, r12d); // frames received
        a.xor(ebp, ebp); // the next sequence number expected
        a.Label(ref next);
        a.mov(rax, __qword_ptr[r13 + Expected]);
        a.sub(rax, rbp);
        a.mov(ecx, WakeBatch);
        a.cmp(rax, rcx);
        a.cmova(rax, rcx);
        a.mov(__dword_ptr[r15 + DriverLayout.RxWakeBatch], eax);
        a.xor(edi, edi);
        a.call(waitRx);
        a.mov(rbx, rax);
        a.cmp(__word_ptr[rbx + F.EthType], F.EtherTypeIpv4);
        a.jne(release);
        a.cmp(__byte_ptr[rbx + F.IpProtocol], F.ProtocolUdp);
        a.jne(release);
        a.movzx(eax, __word_ptr[r13 + Port]);
        a.test(eax, eax);
        a.jz(anyPort);
        a.rol(ax, 8);
        a.cmp(ax, __word_ptr[rbx + F.UdpDestinationPort]);
        a.jne(release);
        a.Label(ref anyPort);
        a.test(r12, r12);
        a.jnz(counted);
        GuestRoutines.ReadTsc(g);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp0], rax);
        a.Label(ref counted);
        a.inc(r12);
        a.mov(rcx, __qword_ptr[rbx + F.Payload]);
        a.cmp(rcx, rbp);
        a.je(inOrder);
        a.ja(gap);
        a.inc(__qword_ptr[r15 + Reordered]);
        a.cmp(__qword_ptr[r15 + Lost], 0);
        a.je(release);
        a.dec(__qword_ptr[r15 + Lost]);
        a.jmp(release);
        a.Label(ref gap);
        a.mov(rax, rcx);
        a.sub(rax, rbp);
        a.add(__qword_ptr[r15 + Lost], rax);
        a.lea(rbp, __[rcx + 1]);
        a.jmp(release);
        a.Label(ref inOrder);
        a.inc(rbp);
        a.Label(ref release);
        a.call(rxRelease);
        a.cmp(rbp, __qword_ptr[r13 + Expected]);
        a.jb(next);

        a.Label(ref done);
        GuestRoutines.ReadTsc(g);
        a.sub(rax, __qword_ptr[r15 + DriverLayout.Timestamp0]);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp1], rax);
        g.Report(ReportKey.SinkReceived, r12);
        a.mov(rsi, __qword_ptr[r15 + Lost]);
        g.Report(ReportKey.SinkLost, rsi);
        a.mov(rsi, __qword_ptr[r15 + Reordered]);
        g.Report(ReportKey.SinkReordered, rsi);
        a.mov(rsi, __qword_ptr[r15 + DriverLayout.Timestamp1]);
        g.Report(ReportKey.SinkElapsedTicks, rsi);
        a.mov(rbx, __qword_ptr[r15 + Lost]);
        GuestRoutines.PrintLine(g, "sink: received ", r12, " lost ", rbx);
        g.Exit(0);
    }
}
