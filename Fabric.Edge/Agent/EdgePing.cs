using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sdn.Common.Capture;
using Sdn.Common.Packets;
using Sdn.Contracts;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// `sdn ping` on the source's edge: ICMP echo requests injected into the pipeline as if the source's port had
/// sent them, and the replies caught by a capture on that port's way out, timed with this host's clock. ICMPv6 echo
/// when the start names IPv6 addresses, its replies' hop limit reported as their TTL.
/// </summary>
/// <remarks>
/// The replies still reach the endpoint, which ignores echo replies it did not ask for. The injected requests
/// take the same tables as the endpoint's own traffic, so a ping across tenants times out as their traffic
/// would. Each sequence number is reported once: replied with its round-trip time, or lost after the timeout.
/// </remarks>
internal sealed class EdgePing : IDisposable
{
    private const int DataLength = 56;
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMilliseconds(20);

    private readonly PingStart _start;
    private readonly CaptureTap _tap;
    private readonly CaptureSession _replies;
    private readonly Action<PacketBurst> _inject;
    private readonly Action<AgentMessage> _report;
    private readonly Action<Exception> _failed;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private readonly ushort _identifier;
    private readonly ulong _sourceMac;
    private readonly ulong _destinationMac;
    private readonly bool _ipv6;
    private readonly uint _sourceIpv4;
    private readonly uint _destinationIpv4;
    private readonly UInt128 _sourceIpv6;
    private readonly UInt128 _destinationIpv6;
    private readonly long[] _sentAt;
    private readonly bool[] _answered;
    private uint _answeredCount;

    /// <param name="inject">Runs a burst through the switch as received on the source's port.</param>
    /// <param name="failed">Answers the ping with what broke it once it runs (a port that throws as the request passes).</param>
    /// <exception cref="FormatException">An address of <paramref name="start"/> is malformed.</exception>
    private EdgePing(PingStart start, CaptureTap tap, Action<PacketBurst> inject, Action<AgentMessage> report, Action<Exception> failed)
    {
        _start = start;
        _tap = tap;
        _inject = inject;
        _report = report;
        _failed = failed;
        _stopping = _stop.Token;
        _sourceMac = Mac(start.SourceMac);
        _destinationMac = Mac(start.DestinationMac);
        _ipv6 = start.SourceIpv6.Length > 0 || start.DestinationIpv6.Length > 0;
        if (_ipv6)
        {
            _sourceIpv6 = Ipv6(start.SourceIpv6);
            _destinationIpv6 = Ipv6(start.DestinationIpv6);
        }
        else
        {
            _sourceIpv4 = Ipv4(start.SourceIpv4);
            _destinationIpv4 = Ipv4(start.DestinationIpv4);
        }

        _identifier = (ushort)(start.PingId ^ (start.PingId >> 16) ^ 0x5d00);
        _sentAt = new long[start.Count + 1];
        _answered = new bool[start.Count + 1];

        // libpcap has no icmp6[] accessor: the ICMPv6 header is read right after the fixed IPv6 header (40 bytes).
        var filter = _ipv6
            ? $"ip6 and ip6[6] == 58 and ip6[40] == {IcmpHeader.Icmpv6EchoReply} and ip6[44:2] == {_identifier}"
            : $"icmp[icmptype] == icmp-echoreply and icmp[4:2] == {_identifier}";
        _replies = new CaptureSession(
            [new CapturePort(start.Port, "echo replies to sdn ping")],
            new CaptureOptions(filter, SnapLength: 128, RingBytes: 64 * 1024, Direction: CaptureDirection.Outbound));
    }

    /// <summary>Starts pinging in the background; disposing stops it.</summary>
    /// <exception cref="FormatException">An address of <paramref name="start"/> is malformed.</exception>
    public static EdgePing Start(PingStart start, CaptureTap tap, Action<PacketBurst> inject, Action<AgentMessage> report, Action<Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(tap);
        var ping = new EdgePing(start, tap, inject, report, failed);
        tap.Attach(ping._replies, 0);
        _ = Task.Run(ping.RunAsync);
        return ping;
    }

    /// <summary>Stops the pings; the loop ends at its next wait, on the token it took before.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var burst = new PacketBurst();
        var interval = TimeSpan.FromMilliseconds(_start.IntervalMs);
        var next = DateTime.UtcNow;
        try
        {
            for (var sequence = 1u; sequence <= _start.Count; sequence++)
            {
                burst.Clear();
                burst.TryAppend(EchoRequest((ushort)sequence));
                _sentAt[sequence] = CaptureClock.UnixNanoseconds();
                _inject(burst);

                // Requests keep to their schedule, so a short interval is not stretched by the timer's resolution:
                // one that falls behind goes out at once. A loop stalled longer than MaxCatchUp (a busy machine)
                // starts a new schedule instead, or the requests it owes would reach the destination as one flood.
                next += interval;
                var now = DateTime.UtcNow;
                if (now - next > MaxCatchUp)
                {
                    next = now;
                }

                await CollectUntilAsync(sequence < _start.Count ? next : now.AddMilliseconds(_start.TimeoutMs), _stopping).ConfigureAwait(false);
            }

            for (var sequence = 1u; sequence <= _start.Count; sequence++)
            {
                if (!_answered[sequence])
                {
                    _report(new AgentMessage { PingEcho = new PingEcho { PingId = _start.PingId, Sequence = sequence } });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the controller or the end of the stream: nothing left to report.
        }
        catch (Exception e)
        {
            // Nobody awaits this loop: what breaks it answers the ping, or the caller would wait for echoes forever.
            _failed(e);
        }
        finally
        {
            _tap.Detach(_replies);
            _replies.DisposeAfterDetach();
        }
    }

    /// <summary>
    /// Reports the replies that came, then those that come until <paramref name="until"/>, or until every request is
    /// answered. The capture's ring is drained at least once a request, so it does not fill while late requests catch up.
    /// </summary>
    private async Task CollectUntilAsync(DateTime until, CancellationToken stop)
    {
        while (true)
        {
            var replies = new ReplyReader(this);
            _replies.Drain(ref replies);
            if (DateTime.UtcNow >= until || _answeredCount == _start.Count)
            {
                return;
            }

            await Task.Delay(DrainInterval, stop).ConfigureAwait(false);
        }
    }

    private void Answer(CapturedFrame reply)
    {
        if (FlowKeyExtractor.Extract(reply.Bytes, 0, out _, out var offsets).IsOk
            && IcmpHeader.Parse(reply.Bytes[offsets.Transport..], out var icmp) == ParseStatus.Ok
            && icmp.SequenceNumber is > 0 and var sequence
            && sequence <= _start.Count
            && !_answered[sequence])
        {
            _answered[sequence] = true;
            _answeredCount++;
            _report(new AgentMessage
            {
                PingEcho = new PingEcho
                {
                    PingId = _start.PingId,
                    Sequence = sequence,
                    Replied = true,
                    RttNs = (ulong)Math.Max(0, reply.TimestampNanoseconds - _sentAt[sequence]),
                    Ttl = reply.Bytes[offsets.Network + (_ipv6 ? Ipv6Header.HopLimitOffset : Ipv4Header.TtlOffset)],
                    Bytes = (uint)(reply.OriginalLength - offsets.Transport),
                },
            });
        }
    }

    private byte[] EchoRequest(ushort sequence)
    {
        var frame = new byte[EthernetHeader.Size + (_ipv6 ? Ipv6Header.Size : Ipv4Header.MinimumSize) + IcmpHeader.Size + DataLength];
        var builder = new FrameBuilder(frame);
        if (_ipv6)
        {
            builder.Ethernet(_destinationMac, _sourceMac, EtherTypes.Ipv6);
            builder.Ipv6(_sourceIpv6, _destinationIpv6, IpProtocols.Icmpv6);
            builder.IcmpEcho(IcmpHeader.Icmpv6EchoRequest, _identifier, sequence);
        }
        else
        {
            builder.Ethernet(_destinationMac, _sourceMac, EtherTypes.Ipv4);
            builder.Ipv4(_sourceIpv4, _destinationIpv4, IpProtocols.Icmp, identification: sequence);
            builder.IcmpEcho(IcmpHeader.EchoRequest, _identifier, sequence);
        }

        Span<byte> data = stackalloc byte[DataLength];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)i;
        }

        builder.Payload(data);
        builder.TryFinish(out _);
        return frame;
    }

    private static ulong Mac(string text) => EthernetHeader.ReadMac(PhysicalAddress.Parse(text).GetAddressBytes());

    private static uint Ipv4(string text) => BinaryPrimitives.ReadUInt32BigEndian(Address(text, AddressFamily.InterNetwork));

    private static UInt128 Ipv6(string text) => BinaryPrimitives.ReadUInt128BigEndian(Address(text, AddressFamily.InterNetworkV6));

    /// <exception cref="FormatException">The text is no address of <paramref name="family"/>.</exception>
    private static byte[] Address(string text, AddressFamily family)
    {
        var address = IPAddress.Parse(text);
        return address.AddressFamily == family
            ? address.GetAddressBytes()
            : throw new FormatException($"'{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
    }

    private readonly struct ReplyReader(EdgePing ping) : ICapturedFrameReader
    {
        public void Read(CapturedFrame frame) => ping.Answer(frame);
    }
}
