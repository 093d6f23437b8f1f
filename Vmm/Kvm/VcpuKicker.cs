using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Kvm;

/// <summary>
/// Forces a vCPU thread out of KVM_RUN: KVM returns EINTR when a signal arrives while the guest runs, and
/// <c>immediate_exit</c> covers the window where the thread is about to enter. The signal's handler is libc's
/// <c>getpid</c>: an async-signal-safe function that ignores its argument, so no managed code runs in the handler.
/// </summary>
internal static unsafe class VcpuKicker
{
    private static readonly Lazy<int> KickSignal = new(Install);

    public static void EnsureInstalled() => _ = KickSignal.Value;

    /// <summary>
    /// Makes the vCPU whose thread is <paramref name="thread"/> and run page is <paramref name="run"/> leave the guest.
    /// A thread of 0 (not running yet, or ended) gets no signal: <c>immediate_exit</c> alone stops its next entry.
    /// </summary>
    public static void Kick(KvmRun* run, nuint thread)
    {
        // SAFETY: run points at the vCPU's mapped kvm_run page, which outlives the vCPU thread (see KvmVcpu.Run).
        Volatile.Write(ref run->ImmediateExit, 1);
        if (thread != 0)
        {
            _ = LibC.PthreadKill(thread, KickSignal.Value);
        }
    }

    private static int Install()
    {
        // A real-time signal near the top of the range: the runtime uses SIGRTMIN for its own activation signal.
        var signal = LibC.CurrentSigRtMax() - 3;
        var handler = NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "getpid");
        var action = new SigActionStruct { Handler = handler };
        SigActionStruct previous;
        // SAFETY: both structs live on this stack frame and have glibc's x86-64 layout (152 bytes).
        if (LibC.SigAction(signal, &action, &previous) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new KvmException($"installing the vCPU kick signal {signal} failed: {LibC.ErrorText(errno)}") { Errno = errno };
        }

        if (previous.Handler != 0 && previous.Handler != handler)
        {
            throw new KvmException($"signal {signal} already has a handler in this process — the VMM needs it to stop vCPUs; free it");
        }

        return signal;
    }
}
