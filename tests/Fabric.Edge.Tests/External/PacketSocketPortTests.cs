using System.Diagnostics;
using Sdn.Common.Interop;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.External;
using Sdn.Fabric.Edge.Tap;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.External;

/// <summary>
/// A packet socket port on a real interface: one end of a veth pair whose other end is in a namespace playing the
/// outside, with the Linux stack there and this test behind the port.
/// </summary>
public sealed class PacketSocketPortTests : IDisposable
{
    private const uint OutsideIp = 0x0A620001;  // 10.98.0.1, inside the namespace
    private const uint ResponderIp = 0x0A620002; // 10.98.0.2, answered by the test through the port
    private const ulong ResponderMac = 0x02_00_00_00_98_02;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly NetworkNamespace _outside;
    private readonly PacketSocketPort _port;

    public PacketSocketPortTests()
    {
        _outside = NetworkNamespace.Create($"sdnt-{_suffix}");
        try
        {
            ExternalCommand.Run("ip", "link", "add", Inside, "type", "veth", "peer", "name", Outside);
            _outside.Adopt(Outside);
            _outside.Configure(Outside, "10.98.0.1/24");
            ExternalCommand.Run("ip", "link", "set", "dev", Inside, "up");
            _port = PacketSocketPort.Open(9, Inside);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private string Inside => $"sdnp{_suffix}";

    private string Outside => $"sdnq{_suffix}";

    /// <summary>Deletes the pair from this end, when it was made: the kernel frees a deleted namespace's devices only later.</summary>
    public void Dispose()
    {
        _port?.Dispose();
        try
        {
            if (ExternalCommand.Run("ip", "-o", "link", "show").Contains($" {Inside}@", StringComparison.Ordinal))
            {
                ExternalCommand.Run("ip", "link", "del", Inside);
            }
        }
        finally
        {
            _outside.Dispose();
        }
    }

    [Fact]
    public async Task Linux_ping_from_the_outside_is_answered_through_the_port()
    {
        var ping = Task.Run(() => _outside.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.98.0.2"));
        var echoes = 0;

        await Serve(() => ping.IsCompleted, (frame, _, replies) => echoes += EchoResponder.Answer(frame, replies, ResponderIp, ResponderMac, OutsideIp) ? 1 : 0);

        Assert.Contains("3 received", await ping, StringComparison.Ordinal);
        Assert.Equal(3, echoes);
        Assert.Equal(0, _port.SendErrors);
    }

    [Fact]
    public async Task A_datagram_the_outside_sends_with_its_checksum_left_to_the_hardware_arrives_with_that_work_beside_it()
    {
        var send = Task.Run(() => _outside.Run("bash", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo hello > /dev/udp/10.98.0.2/9 && exit 0; sleep 0.2; done; exit 1"));
        var verified = 0;

        // The shell's send returns before the datagram leaves: the kernel holds it until this port answers its ARP.
        await Serve(() => verified > 0, (frame, offload, replies) =>
        {
            EchoResponder.Answer(frame, replies, ResponderIp, ResponderMac, OutsideIp);
            if (FlowKeyExtractor.Extract(frame, 0, out var key, out var offsets).IsOk && key.IpProto == IpProtocols.Udp && key.Ipv4Dst == ResponderIp && key.L4Dst == 9)
            {
                var copy = frame.ToArray();
                Assert.True(offload.NeedsChecksum, "veth leaves the UDP checksum to the hardware, so the frame should carry that work");
                Assert.True(FrameSegmenter.TryFinishChecksum(copy, offload));
                var datagram = copy.AsSpan(offsets.Transport);
                Assert.True(InternetChecksum.Verify(datagram, InternetChecksum.PseudoHeaderSum(OutsideIp, ResponderIp, IpProtocols.Udp, datagram.Length)));
                verified++;
            }
        });

        await send;
        Assert.True(verified >= 1, "no datagram to 10.98.0.2:9 came through the port");
    }

    [Fact]
    public void A_missing_interface_is_a_clear_error()
    {
        var error = Assert.Throws<PacketSocketException>(() => PacketSocketPort.Open(1, $"sdnz{_suffix}"));

        Assert.Contains($"interface 'sdnz{_suffix}' does not exist", error.Message, StringComparison.Ordinal);
    }

    private delegate void FrameHandler(ReadOnlySpan<byte> frame, FrameOffload offload, PacketBurst replies);

    /// <summary>Hands each frame the port reads to <paramref name="handle"/> and sends its replies, until <paramref name="done"/> or 10 s pass.</summary>
    private async Task Serve(Func<bool> done, FrameHandler handle)
    {
        var burst = new PacketBurst(superFrames: true);
        var replies = new PacketBurst();
        var deadline = Stopwatch.StartNew();
        await Task.Run(() =>
        {
            while (!done() && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (!_port.WaitReadable(100))
                {
                    continue;
                }

                burst.Clear();
                replies.Clear();
                _port.Receive(burst);
                for (var i = 0; i < burst.Count; i++)
                {
                    handle(burst.Frame(i), burst.Offload(i), replies);
                }

                _port.Transmit(replies);
            }
        });
    }
}
