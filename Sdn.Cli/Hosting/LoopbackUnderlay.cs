using System.Net;
using Grpc.Core;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Hands out the loopback addresses of 127.66.0.0/16 that stand in for underlay addresses in the embedded fabric, one
/// per end of a udp link, each reserved by binding its UDP port 6635 (<see cref="UnderlayReservation"/>).
/// <see cref="Shared"/> serves the whole process, so fabrics that run side by side in it take turns through the
/// range; an address whose port someone else holds (another `sdn up`) is skipped for the next one.
/// </summary>
/// <remarks>
/// Each process starts at a place of the range its process id picks, not at 127.66.0.1, so that fabrics of processes
/// started together do not all probe the same addresses first.
/// </remarks>
internal sealed class LoopbackUnderlay
{
    // 127.66.0.1 to 127.66.255.254.
    private const int AddressCount = 0xFFFE;

    private readonly Lock _gate = new();
    private int _lastIndex;

    /// <param name="lastIndex">The index (0 to 65533) of the address before the first one tried.</param>
    internal LoopbackUnderlay(int lastIndex = 0) => _lastIndex = lastIndex;

    /// <summary>The allocator of this process.</summary>
    public static LoopbackUnderlay Shared { get; } = new(Environment.ProcessId % AddressCount);

    /// <summary>The next address whose port 6635 nobody holds, now held for the caller.</summary>
    /// <exception cref="ProgramException">FAILED_PRECONDITION when every address of the range is taken.</exception>
    public UnderlayReservation Reserve()
    {
        for (var tried = 0; tried < AddressCount; tried++)
        {
            if (UnderlayReservation.TryHold(Next()) is { } reservation)
            {
                return reservation;
            }
        }

        throw new ProgramException(StatusCode.FailedPrecondition, "every loopback address of 127.66.0.0/16 has its UDP port 6635 taken; stop a fabric that runs udp links");
    }

    /// <summary>The address of <paramref name="index"/> (1 to 65534): 127.66.0.1 for 1.</summary>
    internal static IPAddress AddressOf(int index) => new([127, 66, (byte)(index >> 8), (byte)index]);

    private IPAddress Next()
    {
        lock (_gate)
        {
            _lastIndex = (_lastIndex % AddressCount) + 1;
            return AddressOf(_lastIndex);
        }
    }
}
