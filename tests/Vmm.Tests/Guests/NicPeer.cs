using System.Collections.Concurrent;
using Sdn.Common.Packets;
using Sdn.Vmm.Devices.VirtioNet;

namespace Sdn.Vmm.Tests.Guests;

/// <summary>
/// The test's end of a VM's NIC, in place of a cable: it keeps every frame the guest sends, answers those that
/// <c>answer</c> has a reply for, and sends frames of its own.
/// </summary>
internal sealed class NicPeer : INetBackend
{
    private readonly NetDevice _nic;
    private readonly Func<byte[], byte[]?> _answer;
    private readonly PacketBurst _burst = new();
    private readonly Lock _sending = new();

    public NicPeer(NetDevice nic, Func<byte[], byte[]?>? answer = null)
    {
        _nic = nic;
        _answer = answer ?? (_ => null);
        nic.Attach(this);
    }

    /// <summary>The frames the guest sent, in order.</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    /// <summary>Puts <paramref name="frame"/> into the guest's RX ring.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        lock (_sending)
        {
            _burst.Clear();
            _burst.TryAppend(frame);
            _nic.DeliverToGuest(_burst, 0);
        }
    }

    /// <summary>The first frame the guest sent that matches, waiting up to <paramref name="timeout"/> for it; null if none came.</summary>
    public byte[]? WaitFor(Func<byte[], bool> match, TimeSpan timeout)
    {
        byte[]? found = null;
        SpinWait.SpinUntil(() => (found = Received.FirstOrDefault(match)) is not null, timeout);
        return found;
    }

    int INetBackend.Transmit(PacketBurst burst, int first)
    {
        for (var i = first; i < burst.Count; i++)
        {
            var frame = burst.Frame(i).ToArray();
            Received.Enqueue(frame);
            if (_answer(frame) is { } reply)
            {
                Send(reply);
            }
        }

        return burst.Count - first;
    }

    void INetBackend.ReceiveSpaceAvailable()
    {
    }
}
