using System.Runtime.InteropServices;
using Sdn.Common.Capture.Native;

namespace Sdn.Common.Capture;

/// <summary>
/// A tcpdump filter expression compiled to BPF by libpcap, so it selects exactly what tcpdump would.
/// An empty expression matches everything without calling into libpcap.
/// </summary>
/// <remarks>Matching is thread-safe: the compiled program is read-only once built.</remarks>
public sealed unsafe class BpfFilter : IDisposable
{
    private LibPcap.BpfProgram* _program;
    private readonly bool _matchesEverything;

    private BpfFilter(string expression, LibPcap.BpfProgram* program)
    {
        Expression = expression;
        _program = program;
        _matchesEverything = program is null;
    }

    /// <summary>The expression as the user wrote it.</summary>
    public string Expression { get; }

    /// <summary>Compiles <paramref name="expression"/> for frames of <paramref name="linkType"/>.</summary>
    /// <exception cref="CaptureFilterException">libpcap refused the expression; its message says why.</exception>
    public static BpfFilter Compile(string expression, LinkType linkType = LinkType.Ethernet, int snapLength = 65535)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (string.IsNullOrWhiteSpace(expression))
        {
            return new BpfFilter("", null);
        }

        var handle = LibPcap.OpenDead((int)linkType, snapLength);
        if (handle == 0)
        {
            throw new CaptureFilterException(expression, "libpcap could not open a handle for compiling filters");
        }

        try
        {
            var program = (LibPcap.BpfProgram*)NativeMemory.AllocZeroed((nuint)sizeof(LibPcap.BpfProgram));
            // SAFETY: program points to zeroed memory the size of struct bpf_program, which pcap_compile fills.
            if (LibPcap.Compile(handle, program, expression, optimize: 1, LibPcap.NetmaskUnknown) != 0)
            {
                var message = Marshal.PtrToStringUTF8(LibPcap.GetError(handle)) ?? "unknown libpcap error";
                NativeMemory.Free(program);
                throw new CaptureFilterException(expression, message);
            }

            return new BpfFilter(expression, program);
        }
        finally
        {
            LibPcap.Close(handle);
        }
    }

    /// <summary>
    /// True when the filter selects the frame. <paramref name="captured"/> is what is available
    /// (at most the snap length); <paramref name="originalLength"/> the frame's full length.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> captured, int originalLength)
    {
        if (_matchesEverything)
        {
            return true;
        }

        var header = new LibPcap.PacketHeader { CapturedLength = (uint)captured.Length, Length = (uint)originalLength };
        // SAFETY: the span is pinned for the call, and libpcap's BPF interpreter reads at most CapturedLength bytes.
        fixed (byte* packet = captured)
        {
            return LibPcap.OfflineFilter(_program, &header, packet) != 0;
        }
    }

    public void Dispose()
    {
        if (_program is not null)
        {
            // SAFETY: the program was filled by pcap_compile; clearing the field frees it exactly once.
            LibPcap.FreeCode(_program);
            NativeMemory.Free(_program);
            _program = null;
        }
    }
}
