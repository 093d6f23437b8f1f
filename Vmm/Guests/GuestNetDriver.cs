using Iced.Intel;
using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Devices.VirtioNet;
using static Iced.Intel.AssemblerRegisters;
using Reg = Sdn.Vmm.Devices.VirtioMmio.VirtioMmioRegister;

namespace Sdn.Vmm.Guests;

/// <summary>
/// The micro-guests' virtio-net driver for NIC 0, as Iced routines. Initialisation follows virtio 1.2 section 3.1.1
/// (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue setup, DRIVER_OK). After that the driver never exits:
/// it polls the used rings, publishes with plain stores, and writes QueueNotify (an ioeventfd) only when the
/// device's avail_event asks for it (EVENT_IDX). Its used_event trails the used index while it polls; only a wait
/// about to park moves it ahead, to the used buffer that should wake the vCPU, which lets a full TX ring or a
/// bulk receiver sleep through a whole batch. TX buffers are recycled in ring order, which holds because the device
/// completes in order.
/// </summary>
internal static class GuestNetDriver
{
    private const uint WantedFeaturesLow = (uint)(NetFeature.Mac | NetFeature.Mtu | NetFeature.Status | VirtioFeature.RingEventIdx);
    private const uint DescriptorWrite = 2;

    /// <summary>A full TX ring parks until this many buffers came back: one park per half ring keeps exits per frame low.</summary>
    private const int TxWakeBatch = DriverLayout.QueueSize / 2;
    private const int BatchSpinMicroseconds = 10;

    /// <summary>net_init(): brings NIC 0 up and sets R14/R15; on failure reports the failed step and exits.</summary>
    public static Label Init(GuestAssembler g) => g.Routine("net_init", g =>
    {
        var a = g.Asm;
        var fail = a.CreateLabel();
        a.mov(r14, __qword_ptr[r13 + BootInfo.NicsOffset + BootInfo.NicMmioBase]);
        a.mov(r15, DriverLayout.Base);
        a.mov(__qword_ptr[r15 + DriverLayout.RxAvailIdx], 0); // all four ring shadows
        a.mov(__qword_ptr[r15 + DriverLayout.RxCurrentId], 0); // and RxUsedSeen
        a.mov(__dword_ptr[r15 + DriverLayout.RxWakeBatch], 1);
        StoreTscRates(g);

        a.mov(__dword_ptr[r14 + (int)Reg.Status], 0);
        a.mov(__dword_ptr[r14 + (int)Reg.Status], (int)VirtioStatus.Acknowledge);
        a.mov(__dword_ptr[r14 + (int)Reg.Status], (int)(VirtioStatus.Acknowledge | VirtioStatus.Driver));
        ExpectRegister(g, Reg.MagicValue, Reg.Magic, step: 1, fail);
        ExpectRegister(g, Reg.Version, Reg.CurrentVersion, step: 2, fail);
        ExpectRegister(g, Reg.DeviceId, 1, step: 3, fail);

        a.mov(__dword_ptr[r14 + (int)Reg.DeviceFeaturesSel], 1);
        a.mov(eax, __dword_ptr[r14 + (int)Reg.DeviceFeatures]);
        Step(g, 4);
        a.test(eax, (int)(VirtioFeature.Version1 >> 32));
        a.jz(fail);
        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeaturesSel], 1);
        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeatures], (int)(VirtioFeature.Version1 >> 32));
        a.mov(__dword_ptr[r14 + (int)Reg.DeviceFeaturesSel], 0);
        a.mov(eax, __dword_ptr[r14 + (int)Reg.DeviceFeatures]);
        a.and(eax, WantedFeaturesLow);
        Step(g, 5);
        a.test(eax, (int)VirtioFeature.RingEventIdx);
        a.jz(fail);
        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeaturesSel], 0);
        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeatures], eax);
        a.mov(__dword_ptr[r14 + (int)Reg.Status], (int)(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk));
        a.mov(eax, __dword_ptr[r14 + (int)Reg.Status]);
        Step(g, 6);
        a.test(eax, (int)VirtioStatus.FeaturesOk);
        a.jz(fail);

        SetUpQueue(g, NetQueues.Receive, DriverLayout.RxDescriptors, DriverLayout.RxAvail, DriverLayout.RxUsed, fail);
        SetUpQueue(g, NetQueues.Transmit, DriverLayout.TxDescriptors, DriverLayout.TxAvail, DriverLayout.TxUsed, fail);
        FillDescriptors(g, DriverLayout.RxDescriptors, DriverLayout.RxBuffers, DescriptorWrite, DriverLayout.RxAvail);
        FillDescriptors(g, DriverLayout.TxDescriptors, DriverLayout.TxBuffers, 0, availRing: null);
        a.mov(__dword_ptr[r15 + DriverLayout.TxAvail], 0); // flags and idx
        a.mov(__word_ptr[r15 + DriverLayout.RxAvail], 0);
        a.mov(__word_ptr[r15 + DriverLayout.RxAvail + 2], DriverLayout.QueueSize);
        a.mov(__word_ptr[r15 + DriverLayout.RxAvailIdx], DriverLayout.QueueSize);
        a.mov(__word_ptr[r15 + DriverLayout.RxAvail + DriverLayout.UsedEvent], unchecked((short)0xFFFF));
        a.mov(__word_ptr[r15 + DriverLayout.TxAvail + DriverLayout.UsedEvent], unchecked((short)0xFFFF));

        a.mov(__dword_ptr[r14 + (int)Reg.Status], (int)(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk));
        a.mov(eax, __dword_ptr[r14 + (int)Reg.Status]);
        Step(g, 8);
        a.test(eax, (int)VirtioStatus.NeedsReset);
        a.jnz(fail);
        a.mov(__dword_ptr[r14 + (int)Reg.QueueNotify], NetQueues.Receive);
        a.ret();

        a.Label(ref fail);
        g.Report(ReportKey.DriverFailed, rsi);
        g.Print("net: virtio-net driver init failed\n");
        g.Exit(1);
    });

    /// <summary>net_tx_buffer() → rax: the frame area (after the net header) of the next TX buffer; waits for a free one.</summary>
    public static Label TxBuffer(GuestAssembler g) => g.Routine("net_tx_buffer", g =>
    {
        var a = g.Asm;
        var free = a.CreateLabel();
        a.movzx(eax, __word_ptr[r15 + DriverLayout.TxAvailIdx]);
        a.sub(ax, __word_ptr[r15 + DriverLayout.TxLastUsed]);
        a.cmp(ax, DriverLayout.QueueSize);
        a.jb(free);

        // Only a full ring reads the device's used index, so the fast path touches no shared cache line.
        GuestRoutines.WaitUntil(
            g,
            ready =>
            {
                a.movzx(eax, __word_ptr[r15 + DriverLayout.TxUsed + 2]);
                a.mov(__word_ptr[r15 + DriverLayout.TxLastUsed], ax);
                a.movzx(eax, __word_ptr[r15 + DriverLayout.TxAvailIdx]);
                a.sub(ax, __word_ptr[r15 + DriverLayout.TxLastUsed]);
                a.cmp(ax, DriverLayout.QueueSize);
                a.jb(ready);
            },
            () =>
            {
                a.mov(ecx, TxWakeBatch - 1);
                ArmUsedEvent(g, DriverLayout.TxLastUsed, DriverLayout.TxAvail);
            },
            DriverLayout.BatchSpinTicks);
        a.Label(ref free);
        a.movzx(eax, __word_ptr[r15 + DriverLayout.TxAvailIdx]);
        a.and(eax, DriverLayout.QueueSize - 1);
        a.shl(eax, DriverLayout.BufferShift);
        a.lea(rax, __[r15 + rax + (DriverLayout.TxBuffers + NetHeaderSize)]);
        a.ret();
    });

    /// <summary>net_tx_commit(edi = frame length): queues the buffer <see cref="TxBuffer"/> returned and notifies the device if it asked.</summary>
    public static Label TxCommit(GuestAssembler g) => g.Routine("net_tx_commit", g =>
    {
        var a = g.Asm;
        a.movzx(eax, __word_ptr[r15 + DriverLayout.TxAvailIdx]);
        a.mov(ecx, eax);
        a.and(ecx, DriverLayout.QueueSize - 1);
        a.add(edi, NetHeaderSize);
        a.mov(edx, ecx);
        a.shl(edx, 4);
        var length = __dword_ptr[r15 + rdx + (DriverLayout.TxDescriptors + 8)];
        StoreIfChanged(g, () => a.cmp(length, edi), () => a.mov(length, edi));
        var entry = __word_ptr[r15 + rcx * 2 + (DriverLayout.TxAvail + DriverLayout.AvailRing)];
        StoreIfChanged(g, () => a.cmp(entry, cx), () => a.mov(entry, cx));
        Publish(g, DriverLayout.TxAvailIdx, DriverLayout.TxAvail, DriverLayout.TxUsed, NetQueues.Transmit);
    });

    /// <summary>net_rx_poll() → rax: the next received frame (0 if none), edx: its length.</summary>
    /// <remarks>The device's used index is read only when the frames seen at the last read are used up.</remarks>
    public static Label RxPoll(GuestAssembler g) => g.Routine("net_rx_poll", g =>
    {
        var a = g.Asm;
        Label none = a.CreateLabel(), have = a.CreateLabel();
        a.movzx(eax, __word_ptr[r15 + DriverLayout.RxLastUsed]);
        a.cmp(ax, __word_ptr[r15 + DriverLayout.RxUsedSeen]);
        a.jne(have);
        a.movzx(ecx, __word_ptr[r15 + DriverLayout.RxUsed + 2]);
        a.mov(__word_ptr[r15 + DriverLayout.RxUsedSeen], cx);
        a.cmp(ax, cx);
        a.je(none);
        a.Label(ref have);
        a.and(eax, DriverLayout.QueueSize - 1);
        a.mov(ecx, __dword_ptr[r15 + rax * 8 + (DriverLayout.RxUsed + DriverLayout.UsedRing)]);
        a.mov(edx, __dword_ptr[r15 + rax * 8 + (DriverLayout.RxUsed + DriverLayout.UsedRing + 4)]);
        a.mov(__dword_ptr[r15 + DriverLayout.RxCurrentId], ecx);
        a.sub(edx, NetHeaderSize);
        a.and(ecx, DriverLayout.QueueSize - 1);
        a.shl(ecx, DriverLayout.BufferShift);
        a.lea(rax, __[r15 + rcx + (DriverLayout.RxBuffers + NetHeaderSize)]);
        a.ret();
        a.Label(ref none);
        a.xor(eax, eax);
        a.ret();
    });

    /// <summary>net_rx_release(): gives the frame <see cref="RxPoll"/> returned back to the device.</summary>
    public static Label RxRelease(GuestAssembler g) => g.Routine("net_rx_release", g =>
    {
        var a = g.Asm;
        a.movzx(eax, __word_ptr[r15 + DriverLayout.RxLastUsed]);
        a.inc(eax);
        a.mov(__word_ptr[r15 + DriverLayout.RxLastUsed], ax);
        a.movzx(eax, __word_ptr[r15 + DriverLayout.RxAvailIdx]);
        a.mov(ecx, eax);
        a.and(ecx, DriverLayout.QueueSize - 1);
        a.mov(edx, __dword_ptr[r15 + DriverLayout.RxCurrentId]);
        var entry = __word_ptr[r15 + rcx * 2 + (DriverLayout.RxAvail + DriverLayout.AvailRing)];
        StoreIfChanged(g, () => a.cmp(entry, dx), () => a.mov(entry, dx));
        Publish(g, DriverLayout.RxAvailIdx, DriverLayout.RxAvail, DriverLayout.RxUsed, NetQueues.Receive);
    });

    /// <summary>
    /// net_wait_rx(rdi = TSC deadline, 0 = none) → rax: the next frame (0 on timeout), edx: its length. Before it parks
    /// it asks to be woken once <see cref="DriverLayout.RxWakeBatch"/> frames are there; it spins for the budget at
    /// <paramref name="spinTicks"/> first.
    /// </summary>
    public static Label WaitRx(GuestAssembler g, int spinTicks = DriverLayout.SpinTicks)
    {
        var poll = RxPoll(g);
        return g.Routine("net_wait_rx", g =>
        {
            var a = g.Asm;
            Label done = a.CreateLabel(), timedOut = a.CreateLabel();
            a.push(rbx);
            a.push(r12);
            a.mov(r12, rdi);
            GuestRoutines.PollWithBackoff(
                g,
                ready =>
                {
                    a.call(poll);
                    a.test(rax, rax);
                    a.jnz(ready);
                },
                () =>
                {
                    a.mov(ecx, __dword_ptr[r15 + DriverLayout.RxWakeBatch]);
                    a.dec(ecx);
                    ArmUsedEvent(g, DriverLayout.RxLastUsed, DriverLayout.RxAvail);
                },
                done,
                spinTicks,
                (r12, timedOut));
            a.Label(ref timedOut);
            a.xor(eax, eax);
            a.Label(ref done);
            a.pop(r12);
            a.pop(rbx);
            a.ret();
        });
    }

    /// <summary>net_wait_tx_drained(): waits until the device has taken every queued TX buffer.</summary>
    public static Label WaitTxDrained(GuestAssembler g) => g.Routine("net_wait_tx_drained", g =>
    {
        var a = g.Asm;
        GuestRoutines.WaitUntil(
            g,
            ready =>
            {
                a.movzx(eax, __word_ptr[r15 + DriverLayout.TxUsed + 2]);
                a.cmp(ax, __word_ptr[r15 + DriverLayout.TxAvailIdx]);
                a.je(ready);
            },
            () =>
            {
                a.mov(ecx, -1);
                ArmUsedEvent(g, DriverLayout.TxAvailIdx, DriverLayout.TxAvail);
            });
        a.ret();
    });

    private const int NetHeaderSize = 12;

    /// <summary>Emits: avail.idx = ++shadow; then, after a fence, QueueNotify if the device's avail_event equals the old index; ret.</summary>
    private static void Publish(GuestAssembler g, int shadowIdx, int avail, int used, int queue)
    {
        var a = g.Asm;
        var quiet = a.CreateLabel();
        a.inc(eax);
        a.mov(__word_ptr[r15 + shadowIdx], ax);
        a.mov(__word_ptr[r15 + avail + 2], ax);
        a.mfence();
        a.dec(eax);
        a.cmp(ax, __word_ptr[r15 + used + DriverLayout.AvailEvent]);
        a.jne(quiet);
        a.mov(__dword_ptr[r14 + (int)Reg.QueueNotify], queue);
        a.Label(ref quiet);
        a.ret();
    }

    /// <summary>
    /// Emits a store that is skipped when the value is already there: with buffers recycled in ring order, descriptors
    /// and avail entries repeat lap after lap, and a store would take their cache line from the device's core.
    /// </summary>
    private static void StoreIfChanged(GuestAssembler g, Action compare, Action store)
    {
        var same = g.Asm.CreateLabel();
        compare();
        g.Asm.je(same);
        store();
        g.Asm.Label(ref same);
    }

    /// <summary>
    /// Emits: used_event = the index at [<paramref name="from"/>] + ECX, so the device wakes a parked vCPU once it has
    /// used that buffer (clobbers EAX).
    /// </summary>
    private static void ArmUsedEvent(GuestAssembler g, int from, int avail)
    {
        g.Asm.movzx(eax, __word_ptr[r15 + from]);
        g.Asm.add(eax, ecx);
        g.Asm.mov(__word_ptr[r15 + avail + DriverLayout.UsedEvent], ax);
    }

    private static void StoreTscRates(GuestAssembler g)
    {
        var a = g.Asm;
        a.mov(rax, __qword_ptr[r13 + BootInfo.TscHzOffset]);
        a.xor(edx, edx);
        a.mov(ecx, 1_000_000);
        a.div(rcx);
        a.mov(__qword_ptr[r15 + DriverLayout.TicksPerMicrosecond], rax);
        a.imul(rcx, rax, BatchSpinMicroseconds);
        a.mov(__qword_ptr[r15 + DriverLayout.BatchSpinTicks], rcx);
        a.imul(rax, rax, 100); // spin for 100 µs before parking
        a.mov(__qword_ptr[r15 + DriverLayout.SpinTicks], rax);
    }

    private static void Step(GuestAssembler g, int step) => g.Asm.mov(esi, step);

    private static void ExpectRegister(GuestAssembler g, ulong register, uint expected, int step, Label fail)
    {
        g.Asm.mov(eax, __dword_ptr[r14 + (int)register]);
        Step(g, step);
        g.Asm.cmp(eax, expected);
        g.Asm.jne(fail);
    }

    private static void SetUpQueue(GuestAssembler g, int queue, int descriptors, int avail, int used, Label fail)
    {
        var a = g.Asm;
        a.mov(__dword_ptr[r14 + (int)Reg.QueueSel], queue);
        a.mov(eax, __dword_ptr[r14 + (int)Reg.QueueNumMax]);
        Step(g, 7);
        a.cmp(eax, DriverLayout.QueueSize);
        a.jb(fail);
        a.mov(__dword_ptr[r14 + (int)Reg.QueueNum], DriverLayout.QueueSize);
        foreach (var (low, offset) in new[] { (Reg.QueueDescLow, descriptors), (Reg.QueueDriverLow, avail), (Reg.QueueDeviceLow, used) })
        {
            a.mov(__dword_ptr[r14 + (int)low], (int)(DriverLayout.Base + (ulong)offset));
            a.mov(__dword_ptr[r14 + (int)low + 4], 0);
        }

        a.mov(__dword_ptr[r14 + (int)Reg.QueueReady], 1);
    }

    /// <summary>Emits a loop pointing descriptor i at buffer i (and, for RX, offering it in avail.ring[i]).</summary>
    private static void FillDescriptors(GuestAssembler g, int descriptors, int buffers, uint flags, int? availRing)
    {
        var a = g.Asm;
        var next = a.CreateLabel();
        a.xor(ecx, ecx);
        a.Label(ref next);
        a.mov(eax, ecx);
        a.shl(eax, DriverLayout.BufferShift);
        a.lea(rax, __[r15 + rax + buffers]);
        a.mov(edx, ecx);
        a.shl(edx, 4);
        a.mov(__qword_ptr[r15 + rdx + descriptors], rax);
        a.mov(__dword_ptr[r15 + rdx + (descriptors + 8)], flags == 0 ? 0 : DriverLayout.BufferSize);
        a.mov(__dword_ptr[r15 + rdx + (descriptors + 12)], (int)flags);
        if (availRing is { } ring)
        {
            a.mov(__word_ptr[r15 + rcx * 2 + (ring + DriverLayout.AvailRing)], cx);
        }

        a.inc(ecx);
        a.cmp(ecx, DriverLayout.QueueSize);
        a.jb(next);
    }
}
