using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using F = Sdn.Vmm.Guests.FrameOffsets;

namespace Sdn.Vmm.Guests;

/// <summary>Emits the header-writing steps the applications share. Frames are addressed by a base register.</summary>
internal static class FrameEmitter
{
    private static int MyMac => BootInfo.NicsOffset + BootInfo.NicMac;

    public static int MyIp => BootInfo.NicsOffset + BootInfo.NicAddress;

    public static int MyIpv6 => BootInfo.NicsOffset + BootInfo.NicIpv6Address;

    /// <summary>Copies the 6-byte MAC at [<paramref name="source"/> + <paramref name="sourceOffset"/>] to [<paramref name="target"/> + <paramref name="targetOffset"/>] (clobbers EAX).</summary>
    public static void CopyMac(GuestAssembler g, AssemblerRegister64 target, int targetOffset, AssemblerRegister64 source, int sourceOffset)
    {
        g.Asm.mov(eax, __dword_ptr[source + sourceOffset]);
        g.Asm.mov(__dword_ptr[target + targetOffset], eax);
        g.Asm.mov(ax, __word_ptr[source + sourceOffset + 4]);
        g.Asm.mov(__word_ptr[target + targetOffset + 4], ax);
    }

    /// <summary>Writes our MAC at [<paramref name="frame"/> + <paramref name="offset"/>].</summary>
    public static void WriteMyMac(GuestAssembler g, AssemblerRegister64 frame, int offset) =>
        CopyMac(g, frame, offset, r13, MyMac);

    /// <summary>Writes our IPv4 address at [<paramref name="frame"/> + <paramref name="offset"/>].</summary>
    public static void WriteMyIp(GuestAssembler g, AssemblerRegister64 frame, int offset)
    {
        g.Asm.mov(eax, __dword_ptr[r13 + MyIp]);
        g.Asm.mov(__dword_ptr[frame + offset], eax);
    }

    /// <summary>Writes an Ethernet header: destination copied from [<paramref name="source"/> + <paramref name="sourceOffset"/>], source = us.</summary>
    public static void WriteEthernet(GuestAssembler g, AssemblerRegister64 frame, AssemblerRegister64 source, int sourceOffset, short etherType)
    {
        CopyMac(g, frame, F.EthDestination, source, sourceOffset);
        WriteMyMac(g, frame, F.EthSource);
        g.Asm.mov(__word_ptr[frame + F.EthType], etherType);
    }

    /// <summary>Writes an ARP packet for Ethernet/IPv4 with us as the sender.</summary>
    public static void WriteArp(GuestAssembler g, AssemblerRegister64 frame, short operation)
    {
        g.Asm.mov(__dword_ptr[frame + F.ArpHardwareType], F.ArpEthernetIpv4);
        g.Asm.mov(__word_ptr[frame + F.ArpSizes], F.ArpMacIpSizes);
        g.Asm.mov(__word_ptr[frame + F.ArpOperation], operation);
        WriteMyMac(g, frame, F.ArpSenderMac);
        WriteMyIp(g, frame, F.ArpSenderIp);
    }

    /// <summary>
    /// Writes an IPv4 header (no options, TTL 64, id 0) from us to the address in <paramref name="destinationIp"/>,
    /// with total length <paramref name="totalLength"/> (a register holding host order), and its checksum.
    /// Clobbers RAX, RCX, RDX, RSI, RDI.
    /// </summary>
    public static void WriteIpv4(GuestAssembler g, AssemblerRegister64 frame, AssemblerRegister32 destinationIp, AssemblerRegister32 totalLength, byte protocol)
    {
        var a = g.Asm;
        a.mov(__dword_ptr[frame + F.IpDestination], destinationIp);
        a.mov(__word_ptr[frame + F.Ip], 0x0045); // version 4, IHL 5, TOS 0
        a.mov(eax, totalLength);
        a.rol(ax, 8);
        a.mov(__word_ptr[frame + F.IpTotalLength], ax);
        a.mov(__dword_ptr[frame + F.IpTotalLength + 2], 0); // id 0, no fragmentation
        a.mov(__byte_ptr[frame + F.IpTtl], 64);
        a.mov(__byte_ptr[frame + F.IpProtocol], protocol);
        WriteMyIp(g, frame, F.IpSource);
        WriteIpv4Checksum(g, frame);
    }

    /// <summary>Computes the checksum of the IPv4 header (no options) at [<paramref name="frame"/>]. Clobbers RAX, RCX, RDX, RSI, RDI.</summary>
    public static void WriteIpv4Checksum(GuestAssembler g, AssemblerRegister64 frame)
    {
        var a = g.Asm;
        a.mov(__word_ptr[frame + F.IpChecksum], 0);
        a.lea(rdi, __[frame + F.Ip]);
        a.mov(esi, F.IpHeaderLength);
        a.call(GuestRoutines.Checksum(g));
        a.mov(__word_ptr[frame + F.IpChecksum], ax);
    }

    /// <summary>
    /// Turns the received IP frame copied to [<paramref name="frame"/>] into a reply: Ethernet addresses swapped, and
    /// the IP source at <paramref name="sourceAddress"/> swapped with the destination right after it, each
    /// <paramref name="addressLength"/> bytes (a swap changes neither the IPv4 header checksum nor a pseudo-header sum).
    /// Clobbers EAX, ECX.
    /// </summary>
    public static void SwapForReply(GuestAssembler g, AssemblerRegister64 frame, int sourceAddress, int addressLength)
    {
        var a = g.Asm;
        CopyMac(g, frame, F.EthDestination, frame, F.EthSource);
        WriteMyMac(g, frame, F.EthSource);
        for (var i = sourceAddress; i < sourceAddress + addressLength; i += 4)
        {
            a.mov(eax, __dword_ptr[frame + i]);
            a.mov(ecx, __dword_ptr[frame + i + addressLength]);
            a.mov(__dword_ptr[frame + i], ecx);
            a.mov(__dword_ptr[frame + i + addressLength], eax);
        }
    }
}
