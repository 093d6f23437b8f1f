using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using F = Sdn.Vmm.Guests.FrameOffsets;

namespace Sdn.Vmm.Guests.Apps;

/// <summary>
/// echo: answers ARP requests for its address, ICMP and ICMPv6 echo requests with echo replies, and sends every UDP
/// datagram back to where it came from (ports swapped, checksum 0). Runs until stopped; parks when idle.
/// IPv6 packets with extension headers are ignored, and so are neighbour solicitations: the edge switch answers them.
/// </summary>
internal static class EchoApp
{
    public static void Emit(GuestAssembler g)
    {
        var a = g.Asm;
        Label next = a.CreateLabel(), release = a.CreateLabel(), arp = a.CreateLabel(), ipv4 = a.CreateLabel(), icmp = a.CreateLabel(), ipv6 = a.CreateLabel(), reply = a.CreateLabel();
        var waitRx = GuestNetDriver.WaitRx(g);
        var txBuffer = GuestNetDriver.TxBuffer(g);
        var txCommit = GuestNetDriver.TxCommit(g);
        var rxRelease = GuestNetDriver.RxRelease(g);

        a.Label(ref next);
        a.xor(edi, edi);
        a.call(waitRx);
        a.mov(rbx, rax);
        a.mov(r12d, edx);
        a.cmp(__word_ptr[rbx + F.EthType], F.EtherTypeArp);
        a.je(arp);
        a.cmp(__word_ptr[rbx + F.EthType], F.EtherTypeIpv4);
        a.je(ipv4);
        a.cmp(__word_ptr[rbx + F.EthType], F.EtherTypeIpv6);
        a.je(ipv6);
        a.jmp(release);

        // ARP request for our address → ARP reply to the asker.
        a.Label(ref arp);
        a.cmp(__word_ptr[rbx + F.ArpOperation], F.ArpRequest);
        a.jne(release);
        a.mov(eax, __dword_ptr[rbx + F.ArpTargetIp]);
        a.cmp(eax, __dword_ptr[r13 + FrameEmitter.MyIp]);
        a.jne(release);
        a.call(txBuffer);
        a.mov(rbp, rax);
        FrameEmitter.WriteEthernet(g, rbp, rbx, F.ArpSenderMac, F.EtherTypeArp);
        FrameEmitter.WriteArp(g, rbp, F.ArpReply);
        FrameEmitter.CopyMac(g, rbp, F.ArpTargetMac, rbx, F.ArpSenderMac);
        a.mov(eax, __dword_ptr[rbx + F.ArpSenderIp]);
        a.mov(__dword_ptr[rbp + F.ArpTargetIp], eax);
        a.mov(edi, F.MinimumFrame);
        a.call(txCommit);
        a.jmp(release);

        // IPv4 to our address: ICMP echo request or UDP.
        a.Label(ref ipv4);
        a.mov(eax, __dword_ptr[rbx + F.IpDestination]);
        a.cmp(eax, __dword_ptr[r13 + FrameEmitter.MyIp]);
        a.jne(release);
        a.cmp(__byte_ptr[rbx + F.IpProtocol], F.ProtocolIcmp);
        a.je(icmp);
        a.cmp(__byte_ptr[rbx + F.IpProtocol], F.ProtocolUdp);
        a.jne(release);
        CopyToIpv4Reply(g, txBuffer);
        a.mov(eax, __dword_ptr[rbp + F.UdpSourcePort]);
        a.rol(eax, 16); // swap source and destination ports
        a.mov(__dword_ptr[rbp + F.UdpSourcePort], eax);
        a.mov(__word_ptr[rbp + F.UdpChecksum], 0);
        a.jmp(reply);

        a.Label(ref icmp);
        a.cmp(__byte_ptr[rbx + F.IcmpType], F.IcmpEchoRequest);
        a.jne(release);
        CopyToIpv4Reply(g, txBuffer);
        a.mov(__byte_ptr[rbp + F.IcmpType], F.IcmpEchoReply);
        a.mov(__word_ptr[rbp + F.IcmpChecksum], 0);
        a.movzx(esi, __word_ptr[rbp + F.IpTotalLength]);
        a.rol(si, 8);
        a.sub(esi, F.IpHeaderLength);
        a.lea(rdi, __[rbp + F.L4]);
        a.call(GuestRoutines.Checksum(g));
        a.mov(__word_ptr[rbp + F.IcmpChecksum], ax);
        a.jmp(reply);

        // ICMPv6 echo request to our IPv6 address → echo reply.
        a.Label(ref ipv6);
        a.cmp(__byte_ptr[rbx + F.Ipv6NextHeader], F.ProtocolIcmpv6);
        a.jne(release);
        a.cmp(__byte_ptr[rbx + F.Icmpv6Type], F.Icmpv6EchoRequest);
        a.jne(release);
        a.mov(rax, __qword_ptr[rbx + F.Ipv6Destination]);
        a.cmp(rax, __qword_ptr[r13 + FrameEmitter.MyIpv6]);
        a.jne(release);
        a.mov(rax, __qword_ptr[rbx + F.Ipv6Destination + 8]);
        a.cmp(rax, __qword_ptr[r13 + FrameEmitter.MyIpv6 + 8]);
        a.jne(release);
        CopyToReply(g, txBuffer, F.Ipv6Source, F.Ipv6AddressLength);
        a.mov(__byte_ptr[rbp + F.Ipv6HopLimit], 64); // a new packet's; unlike IPv4's TTL, no header checksum covers it
        a.mov(__byte_ptr[rbp + F.Icmpv6Type], F.Icmpv6EchoReply);

        // The swap left the pseudo-header's sum as it was, so only the type's change goes into the checksum:
        // HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3), where ~m + m' is reply - request, the type being the low byte
        // of the word as loaded (byte-swapped).
        a.movzx(eax, __word_ptr[rbp + F.Icmpv6Checksum]);
        a.xor(eax, 0xFFFF);
        a.add(eax, F.Icmpv6EchoReply - F.Icmpv6EchoRequest);
        a.mov(ecx, eax);
        a.shr(ecx, 16);
        a.add(eax, ecx);
        a.not(eax);
        a.mov(__word_ptr[rbp + F.Icmpv6Checksum], ax);

        a.Label(ref reply);
        a.mov(edi, r12d);
        a.call(txCommit);

        a.Label(ref release);
        a.call(rxRelease);
        a.jmp(next);
    }

    /// <summary>An IPv4 reply to the received frame, as <see cref="CopyToReply"/> makes one, with a TTL of its own.</summary>
    private static void CopyToIpv4Reply(GuestAssembler g, Label txBuffer)
    {
        CopyToReply(g, txBuffer, F.IpSource, F.IpAddressLength);
        g.Asm.mov(__byte_ptr[rbp + F.IpTtl], 64); // a new packet's, as a host's stack sends it
        FrameEmitter.WriteIpv4Checksum(g, rbp);
    }

    /// <summary>
    /// Copies the received frame (RBX, R12 bytes) to a TX buffer (RBP) and swaps its addresses; see
    /// <see cref="FrameEmitter.SwapForReply"/> for <paramref name="sourceAddress"/> and <paramref name="addressLength"/>.
    /// </summary>
    private static void CopyToReply(GuestAssembler g, Label txBuffer, int sourceAddress, int addressLength)
    {
        var a = g.Asm;
        a.call(txBuffer);
        a.mov(rbp, rax);
        a.mov(rdi, rbp);
        a.mov(rsi, rbx);
        a.mov(ecx, r12d);
        a.rep.movsb();
        FrameEmitter.SwapForReply(g, rbp, sourceAddress, addressLength);
    }
}
