using System.Buffers.Binary;
using System.Net;
using Sdn.Vmm.Guests.Apps;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Guests;

/// <summary>
/// Builds the built-in micro-guests: a common prologue (R13 = boot info, bring NIC 0 up, print
/// "<c>app</c>: up") followed by one application, assembled with Iced for <see cref="GuestLayout.ImageAddress"/>.
/// Also turns typed settings into each application's boot-info parameters.
/// </summary>
public static class MicroGuest
{
    public const int MinimumFrameSize = FrameOffsets.MinimumFrame;
    public const int MaximumFrameSize = 1514;

    public static GuestImage Build(GuestApp app)
    {
        var g = new GuestAssembler();
        g.Asm.mov(r13, GuestLayout.BootInfoAddress);
        g.Asm.call(GuestNetDriver.Init(g));
        g.Print($"{app.ToString().ToLowerInvariant()}: up\n");
        switch (app)
        {
            case GuestApp.Echo:
                EchoApp.Emit(g);
                break;
            case GuestApp.Ping:
                PingApp.Emit(g);
                break;
            case GuestApp.Pktgen:
                PktgenApp.Emit(g);
                break;
            case GuestApp.Sink:
                SinkApp.Emit(g);
                break;
            default:
                throw new VmmException($"there is no built-in guest for '{app}' — load your own image with GuestApp.User");
        }

        return g.Build();
    }

    public static ulong[] PingParameters(IPAddress target, int count, int intervalMicroseconds = 1000, int payloadBytes = 56) =>
        [Ipv4(target), (ulong)count, (ulong)intervalMicroseconds, (ulong)Math.Max(payloadBytes, 8)];

    public static ulong[] PktgenParameters(IPAddress destination, byte[] destinationMac, int frameSize, long count, long framesPerSecond = 0, int udpPort = 9)
    {
        if (frameSize is < MinimumFrameSize or > MaximumFrameSize)
        {
            throw new VmmException($"pktgen frames are {MinimumFrameSize}..{MaximumFrameSize} bytes, got {frameSize}");
        }

        Span<byte> mac = stackalloc byte[8];
        destinationMac.CopyTo(mac);
        return [Ipv4(destination), BinaryPrimitives.ReadUInt64LittleEndian(mac), (ulong)frameSize, (ulong)count, (ulong)framesPerSecond, (ulong)udpPort];
    }

    public static ulong[] SinkParameters(long count, int udpPort = 0) => [(ulong)count, (ulong)udpPort];

    /// <summary>An IPv4 address as the guest loads it: the wire bytes, read little-endian.</summary>
    private static ulong Ipv4(IPAddress address) => BinaryPrimitives.ReadUInt32LittleEndian(address.GetAddressBytes());
}
