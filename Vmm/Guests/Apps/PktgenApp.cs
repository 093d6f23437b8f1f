using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using F = Sdn.Vmm.Guests.FrameOffsets;

namespace Sdn.Vmm.Guests.Apps;

/// <summary>
/// pktgen: sends <c>count</c> UDP frames of <c>size</c> bytes to a fixed MAC and IPv4 address, each carrying its
/// sequence number (u64, little-endian) at the start of the payload, at <c>rate</c> frames/s (0 = as fast as the
/// ring allows). Every TX buffer is filled with the frame template once, so sending costs one 8-byte store plus the
/// ring update. Reports <see cref="ReportKey.PktgenSent"/> once the device has taken everything, then exits.
/// Parameters: destination IPv4, destination MAC, frame size, count, rate, UDP destination port.
/// </summary>
internal static class PktgenApp
{
    private const int DestinationIp = BootInfo.ParametersOffset;
    private const int DestinationMac = BootInfo.ParametersOffset + 8;
    private const int FrameSize = BootInfo.ParametersOffset + 16;
    private const int Count = BootInfo.ParametersOffset + 24;
    private const int Rate = BootInfo.ParametersOffset + 32;
    private const int Port = BootInfo.ParametersOffset + 40;
    private const short SourcePort = 0x0900; // 9, big-endian

    public static void Emit(GuestAssembler g)
    {
        var a = g.Asm;
        Label template = a.CreateLabel(), unpaced = a.CreateLabel(), send = a.CreateLabel(), pace = a.CreateLabel(), done = a.CreateLabel();
        var txBuffer = GuestNetDriver.TxBuffer(g);
        var txCommit = GuestNetDriver.TxCommit(g);

        // The frame template, written into every TX buffer.
        a.xor(r12d, r12d);
        a.Label(ref template);
        a.mov(eax, r12d);
        a.shl(eax, DriverLayout.BufferShift);
        a.lea(rbp, __[r15 + rax + (DriverLayout.TxBuffers + 12)]);
        FrameEmitter.WriteEthernet(g, rbp, r13, DestinationMac, F.EtherTypeIpv4);
        a.mov(edx, __dword_ptr[r13 + DestinationIp]);
        a.mov(ecx, __dword_ptr[r13 + FrameSize]);
        a.sub(ecx, F.Ip);
        FrameEmitter.WriteIpv4(g, rbp, edx, ecx, F.ProtocolUdp);
        a.mov(__word_ptr[rbp + F.UdpSourcePort], SourcePort);
        a.mov(eax, __dword_ptr[r13 + Port]);
        a.rol(ax, 8);
        a.mov(__word_ptr[rbp + F.UdpDestinationPort], ax);
        a.mov(eax, __dword_ptr[r13 + FrameSize]);
        a.sub(eax, F.L4);
        a.rol(ax, 8);
        a.mov(__word_ptr[rbp + F.UdpLength], ax);
        a.mov(__word_ptr[rbp + F.UdpChecksum], 0);
        a.inc(r12d);
        a.cmp(r12d, DriverLayout.QueueSize);
        a.jb(template);

        // Pacing: ticks per frame in Scratch (0 = unpaced), the next send time in Timestamp1.
        a.mov(__qword_ptr[r15 + DriverLayout.Scratch], 0);
        a.mov(rcx, __qword_ptr[r13 + Rate]);
        a.test(rcx, rcx);
        a.jz(unpaced);
        a.mov(rax, __qword_ptr[r13 + BootInfo.TscHzOffset]);
        a.xor(edx, edx);
        a.div(rcx);
        a.mov(__qword_ptr[r15 + DriverLayout.Scratch], rax);
        GuestRoutines.ReadTsc(g);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp1], rax);
        a.Label(ref unpaced);

        a.xor(r12d, r12d);
        a.Label(ref send);
        a.cmp(r12, __qword_ptr[r13 + Count]);
        a.jae(done);
        a.call(txBuffer);
        a.mov(__qword_ptr[rax + F.Payload], r12);
        a.mov(edi, __dword_ptr[r13 + FrameSize]);
        a.call(txCommit);
        a.inc(r12);
        a.mov(rax, __qword_ptr[r15 + DriverLayout.Scratch]);
        a.test(rax, rax);
        a.jz(send);
        a.add(__qword_ptr[r15 + DriverLayout.Timestamp1], rax);
        a.Label(ref pace);
        GuestRoutines.ReadTsc(g);
        a.cmp(rax, __qword_ptr[r15 + DriverLayout.Timestamp1]);
        a.jae(send);
        a.pause();
        a.jmp(pace);

        a.Label(ref done);
        a.call(GuestNetDriver.WaitTxDrained(g));
        g.Report(ReportKey.PktgenSent, r12);
        GuestRoutines.PrintLine(g, "pktgen: sent ", r12);
        g.Exit(0);
    }
}
