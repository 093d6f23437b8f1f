using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using F = Sdn.Vmm.Guests.FrameOffsets;

namespace Sdn.Vmm.Guests.Apps;

/// <summary>
/// ping: resolves the next hop's MAC with ARP (retrying every 100 ms): the target's, or the gateway's when the target is
/// outside NIC 0's subnet and there is a gateway. Then it sends ICMP echo requests to that MAC one at a time,
/// reporting each round-trip time in TSC ticks (<see cref="ReportKey.PingRttTicks"/>) and, at the end, the number of
/// replies (<see cref="ReportKey.PingReplies"/>). Parameters: target IPv4, count, interval in µs, payload bytes (≥ 8).
/// </summary>
internal static class PingApp
{
    private const int Target = BootInfo.ParametersOffset;
    private const int Count = BootInfo.ParametersOffset + 8;
    private const int Interval = BootInfo.ParametersOffset + 16;
    private const int PayloadBytes = BootInfo.ParametersOffset + 24;
    private const short Identifier = 0x4453;
    private const int MyPrefixLength = BootInfo.NicsOffset + BootInfo.NicPrefixLength;
    private const int Gateway = BootInfo.NicsOffset + BootInfo.NicGateway;

    /// <summary>The IPv4 address ARP resolves (u32, wire order), from R15.</summary>
    private const int NextHop = DriverLayout.Scratch;

    public static void Emit(GuestAssembler g)
    {
        var a = g.Asm;
        Label arpSend = a.CreateLabel(), arpWait = a.CreateLabel(), arpSkip = a.CreateLabel(), resolved = a.CreateLabel();
        Label pingLoop = a.CreateLabel(), replyWait = a.CreateLabel(), replySkip = a.CreateLabel(), timedOut = a.CreateLabel();
        Label pause = a.CreateLabel(), pace = a.CreateLabel(), nextSequence = a.CreateLabel(), done = a.CreateLabel();
        var txBuffer = GuestNetDriver.TxBuffer(g);
        var rxRelease = GuestNetDriver.RxRelease(g);

        ChooseNextHop(g);

        // Who has the next hop? Broadcast an ARP request and wait up to 100 ms for the answer.
        a.Label(ref arpSend);
        a.call(txBuffer);
        a.mov(rbp, rax);
        a.mov(__dword_ptr[rbp + F.EthDestination], -1);
        a.mov(__word_ptr[rbp + F.EthDestination + 4], -1);
        FrameEmitter.WriteMyMac(g, rbp, F.EthSource);
        a.mov(__word_ptr[rbp + F.EthType], F.EtherTypeArp);
        FrameEmitter.WriteArp(g, rbp, F.ArpRequest);
        a.mov(__dword_ptr[rbp + F.ArpTargetMac], 0);
        a.mov(__word_ptr[rbp + F.ArpTargetMac + 4], 0);
        a.mov(eax, __dword_ptr[r15 + NextHop]);
        a.mov(__dword_ptr[rbp + F.ArpTargetIp], eax);
        a.mov(edi, F.MinimumFrame);
        SendAndAwait(g, 100_000, ref arpWait, arpSend, F.EtherTypeArp, arpSkip);
        a.cmp(__word_ptr[rbx + F.ArpOperation], F.ArpReply);
        a.jne(arpSkip);
        a.mov(eax, __dword_ptr[rbx + F.ArpSenderIp]);
        a.cmp(eax, __dword_ptr[r15 + NextHop]);
        a.jne(arpSkip);
        FrameEmitter.CopyMac(g, r15, DriverLayout.PeerMac, rbx, F.ArpSenderMac);
        a.call(rxRelease);
        a.jmp(resolved);
        a.Label(ref arpSkip);
        a.call(rxRelease);
        a.jmp(arpWait);

        a.Label(ref resolved);
        a.mov(r12d, 1);

        // Echo request number r12, timestamped in its payload.
        a.Label(ref pingLoop);
        a.cmp(r12, __qword_ptr[r13 + Count]);
        a.ja(done);
        a.call(txBuffer);
        a.mov(rbp, rax);
        FrameEmitter.WriteEthernet(g, rbp, r15, DriverLayout.PeerMac, F.EtherTypeIpv4);
        a.mov(edx, __dword_ptr[r13 + Target]);
        a.mov(ecx, __dword_ptr[r13 + PayloadBytes]);
        a.add(ecx, F.IpHeaderLength + 8);
        FrameEmitter.WriteIpv4(g, rbp, edx, ecx, F.ProtocolIcmp);
        a.mov(__word_ptr[rbp + F.IcmpType], F.IcmpEchoRequest);
        a.mov(__word_ptr[rbp + F.IcmpChecksum], 0);
        a.mov(__word_ptr[rbp + F.IcmpIdentifier], Identifier);
        a.mov(eax, r12d);
        a.rol(ax, 8);
        a.mov(__word_ptr[rbp + F.IcmpSequence], ax);
        GuestRoutines.ReadTsc(g);
        a.mov(__qword_ptr[rbp + F.Payload], rax);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp0], rax);
        a.mov(esi, __dword_ptr[r13 + PayloadBytes]);
        a.add(esi, 8);
        a.lea(rdi, __[rbp + F.L4]);
        a.call(GuestRoutines.Checksum(g));
        a.mov(__word_ptr[rbp + F.IcmpChecksum], ax);
        a.mov(edi, __dword_ptr[r13 + PayloadBytes]);
        a.add(edi, F.Payload);
        SendAndAwait(g, 1_000_000, ref replyWait, timedOut, F.EtherTypeIpv4, replySkip);
        a.cmp(__byte_ptr[rbx + F.IpProtocol], F.ProtocolIcmp);
        a.jne(replySkip);
        a.cmp(__byte_ptr[rbx + F.IcmpType], F.IcmpEchoReply);
        a.jne(replySkip);
        a.movzx(eax, __word_ptr[rbx + F.IcmpSequence]);
        a.rol(ax, 8);
        a.cmp(eax, r12d);
        a.jne(replySkip);
        GuestRoutines.ReadTsc(g);
        a.sub(rax, __qword_ptr[r15 + DriverLayout.Timestamp0]);
        a.mov(rbp, rax);
        a.call(rxRelease);
        a.inc(__qword_ptr[r15 + DriverLayout.Counter0]);
        g.Report(ReportKey.PingRttTicks, rbp);
        GuestRoutines.PrintLine(g, "ping: reply seq=", r12, " rtt_ticks=", rbp);
        a.jmp(pause);
        a.Label(ref replySkip);
        a.call(rxRelease);
        a.jmp(replyWait);

        a.Label(ref timedOut);
        GuestRoutines.PrintLine(g, "ping: timeout seq=", r12);

        // Wait out the interval: park for it, then spin off whatever is left after an early wake-up.
        a.Label(ref pause);
        a.mov(rcx, __qword_ptr[r13 + Interval]);
        a.test(rcx, rcx);
        a.jz(nextSequence);
        GuestRoutines.DeadlineIn(g, rcx, rcx);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp1], rcx);
        a.mov(rdi, __qword_ptr[r13 + Interval]);
        g.Hypercall(Devices.Hypercall.Hypercall.Idle);
        a.Label(ref pace);
        GuestRoutines.ReadTsc(g);
        a.cmp(rax, __qword_ptr[r15 + DriverLayout.Timestamp1]);
        a.jae(nextSequence);
        a.pause();
        a.jmp(pace);
        a.Label(ref nextSequence);
        a.inc(r12);
        a.jmp(pingLoop);

        a.Label(ref done);
        a.mov(rsi, __qword_ptr[r15 + DriverLayout.Counter0]);
        g.Report(ReportKey.PingReplies, rsi);
        g.Print("ping: done\n");
        g.Exit(0);
    }

    /// <summary>Emits: NextHop = the gateway when the target is outside NIC 0's subnet and there is a gateway, else the target.</summary>
    private static void ChooseNextHop(GuestAssembler g)
    {
        var a = g.Asm;
        a.movzx(ecx, __byte_ptr[r13 + MyPrefixLength]);
        a.neg(ecx);
        a.add(ecx, 32);
        a.mov(rax, -1L);
        a.shl(rax, cl); // the mask in EAX, host order; a 64-bit shift, so that prefix 0 shifts all 32 bits out
        a.bswap(eax);
        a.mov(ecx, __dword_ptr[r13 + Target]);
        a.mov(edx, ecx);
        a.xor(edx, __dword_ptr[r13 + FrameEmitter.MyIp]);
        a.test(edx, eax);
        a.cmovnz(ecx, __dword_ptr[r13 + Gateway]);
        a.test(ecx, ecx);
        a.cmovz(ecx, __dword_ptr[r13 + Target]); // off the subnet, but no gateway
        a.mov(__dword_ptr[r15 + NextHop], ecx);
    }

    /// <summary>
    /// Emits: send the TX buffer (EDI = length); then, at <paramref name="wait"/>, wait up to <paramref name="timeoutMicroseconds"/>
    /// for a frame (RBX), going to <paramref name="timedOut"/> at the deadline and to <paramref name="skip"/> when its
    /// EtherType is not <paramref name="etherType"/>.
    /// </summary>
    private static void SendAndAwait(GuestAssembler g, int timeoutMicroseconds, ref Label wait, Label timedOut, short etherType, Label skip)
    {
        var a = g.Asm;
        a.call(GuestNetDriver.TxCommit(g));
        a.mov(ecx, timeoutMicroseconds);
        GuestRoutines.DeadlineIn(g, rcx, rcx);
        a.mov(__qword_ptr[r15 + DriverLayout.Timestamp1], rcx);
        a.Label(ref wait);
        a.mov(rdi, __qword_ptr[r15 + DriverLayout.Timestamp1]);
        a.call(GuestNetDriver.WaitRx(g));
        a.test(rax, rax);
        a.jz(timedOut);
        a.mov(rbx, rax);
        a.cmp(__word_ptr[rbx + F.EthType], etherType);
        a.jne(skip);
    }
}
