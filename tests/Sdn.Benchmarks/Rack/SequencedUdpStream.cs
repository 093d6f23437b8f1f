using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sdn.Benchmarks.Rack;

/// <summary>
/// A steady UDP stream with sequence numbers from one network namespace to another, counted at the receiver: what a
/// fault costs it is the datagrams that never arrived, times the interval between datagrams. The sender keeps to a
/// schedule (datagram N is due N intervals after the start) and, when its thread wakes late, sends what has fallen due
/// at once, so a busy machine delays datagrams but does not thin the stream. Losses before the first datagram arrives
/// (neighbour resolution) are not counted.
/// </summary>
internal sealed class SequencedUdpStream : IDisposable
{
    private const int Port = 7450;
    private const int DatagramLength = 16;
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;
    private const int ReceiveBufferBytes = 8 << 20;

    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly IPEndPoint _target;
    private readonly TimeSpan _interval;
    private readonly Thread _sending;
    private readonly Thread _receiving;
    private volatile bool _stopSending;
    private volatile bool _stopReceiving;
    private long _sent;
    private long _received;
    private long _first = -1;
    private long _next;
    private long _longestGap;
    private double _longestGapAtMs;

    private SequencedUdpStream(Socket sender, Socket receiver, IPEndPoint target, TimeSpan interval)
    {
        (_sender, _receiver, _target, _interval) = (sender, receiver, target, interval);
        _sending = new Thread(Send) { Name = "udp stream sender", IsBackground = true };
        _receiving = new Thread(Receive) { Name = "udp stream receiver", IsBackground = true };
    }

    /// <summary>Starts a stream of one datagram every <paramref name="interval"/> from namespace <paramref name="from"/> to <paramref name="to"/>'s <paramref name="toIp"/>.</summary>
    public static SequencedUdpStream Start(string from, string to, string toIp, TimeSpan interval)
    {
        var receiver = NamespaceSocket.Udp(to);
        Socket? sender = null;
        try
        {
            // Past the namespace's rmem_max (root may): the receiving thread can wait for a core for a while on this machine.
            receiver.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(ReceiveBufferBytes));
            receiver.ReceiveTimeout = 100;
            var target = new IPEndPoint(IPAddress.Parse(toIp), Port);
            receiver.Bind(target);
            sender = NamespaceSocket.Udp(from);
            var stream = new SequencedUdpStream(sender, receiver, target, interval);
            stream._receiving.Start();
            stream._sending.Start();
            return stream;
        }
        catch
        {
            sender?.Dispose();
            receiver.Dispose();
            throw;
        }
    }

    /// <summary>Stops sending, waits <paramref name="drain"/> for datagrams still on their way, and counts.</summary>
    public StreamCount Stop(TimeSpan drain)
    {
        _stopSending = true;
        _sending.Join();
        Thread.Sleep(drain);
        _stopReceiving = true;
        _receiving.Join();
        var counted = _first < 0 ? 0 : _sent - _first;
        return new StreamCount(_sent, _received, counted - _received, _longestGap, _longestGapAtMs, _interval);
    }

    public void Dispose()
    {
        _stopSending = true;
        _stopReceiving = true;
        if (_sending.IsAlive)
        {
            _sending.Join();
        }

        if (_receiving.IsAlive)
        {
            _receiving.Join();
        }

        _sender.Dispose();
        _receiver.Dispose();
    }

    private void Send()
    {
        var datagram = new byte[DatagramLength];
        var clock = Stopwatch.StartNew();
        long sequence = 0;
        while (!_stopSending)
        {
            var due = clock.Elapsed.Ticks / _interval.Ticks;
            for (; sequence <= due; sequence++)
            {
                BinaryPrimitives.WriteInt64BigEndian(datagram, sequence);
                _sender.SendTo(datagram, _target);
            }

            Volatile.Write(ref _sent, sequence);
            Thread.Sleep(1);
        }
    }

    private void Receive()
    {
        var datagram = new byte[64];
        while (!_stopReceiving)
        {
            int length;
            try
            {
                length = _receiver.Receive(datagram);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }

            if (length == DatagramLength)
            {
                Count(BinaryPrimitives.ReadInt64BigEndian(datagram));
            }
        }
    }

    private void Count(long sequence)
    {
        if (_first < 0)
        {
            (_first, _next) = (sequence, sequence);
        }

        if (sequence < _first)
        {
            return;
        }

        _received++;
        if (sequence > _next && sequence - _next > _longestGap)
        {
            _longestGap = sequence - _next;
            _longestGapAtMs = _next * _interval.TotalMilliseconds;
        }

        _next = Math.Max(_next, sequence + 1);
    }
}
