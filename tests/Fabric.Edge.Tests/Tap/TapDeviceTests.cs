using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Tap;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Tap;

/// <summary>Real TAP devices in real namespaces: the Linux stack on one side, this test on the other.</summary>
public sealed class TapDeviceTests : IDisposable
{
    private const uint HostIp = 0x0A630001;      // 10.99.0.1, inside the namespace
    private const uint ResponderIp = 0x0A630002; // 10.99.0.2, answered by the test
    private const ulong ResponderMac = 0x02_00_00_00_99_02;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly NetworkNamespace _namespace;
    private readonly TapDevice _tap;

    public TapDeviceTests()
    {
        _namespace = NetworkNamespace.Create($"sdnt-{_suffix}");
        _tap = TapDevice.Create($"sdnt{_suffix}");
        _namespace.Adopt(_tap.Name);
        _namespace.Configure(_tap.Name, "10.99.0.1/24");
    }

    public void Dispose()
    {
        _tap.Dispose();
        _namespace.Dispose();
    }

    [Fact]
    public async Task Linux_ping_from_a_namespace_is_answered_through_the_tap()
    {
        var ping = Task.Run(() => _namespace.Run("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.99.0.2"));
        var burst = new PacketBurst();
        var replies = new PacketBurst();
        var echoes = 0;
        var deadline = Stopwatch.StartNew();

        while (!ping.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (!_tap.WaitReadable(100))
            {
                continue;
            }

            burst.Clear();
            replies.Clear();
            _tap.ReceiveBurst(burst);
            for (var i = 0; i < burst.Count; i++)
            {
                echoes += EchoResponder.Answer(burst.Frame(i), replies, ResponderIp, ResponderMac, HostIp) ? 1 : 0;
            }

            _tap.SendBurst(replies);
        }

        Assert.Contains("3 received", await ping, StringComparison.Ordinal);
        Assert.Equal(3, echoes);
        Assert.True(_tap.FramesReceived >= 4);
        Assert.Equal(0, _tap.SendErrors);
    }

    [Fact]
    public void A_name_in_use_or_too_long_is_a_clear_error()
    {
        Assert.Contains("must have 1 to 15 characters", Assert.Throws<TapException>(() => TapDevice.Create("a-name-far-too-long")).Message, StringComparison.Ordinal);

        using var first = TapDevice.Create($"sdnu{_suffix}");
        var error = Assert.Throws<TapException>(() => TapDevice.Create($"sdnu{_suffix}"));

        Assert.Contains($"cannot create TAP device 'sdnu{_suffix}'", error.Message, StringComparison.Ordinal);
    }
}
