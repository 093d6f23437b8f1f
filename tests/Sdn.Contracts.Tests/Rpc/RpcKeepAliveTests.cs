using System.Buffers.Binary;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Rpc;

public class RpcKeepAliveTests
{
    private const byte SettingsFrame = 0x4;
    private const byte PingFrame = 0x6;
    private const byte AckFlag = 0x1;

    [Fact]
    public async Task Server_pings_an_idle_connection()
    {
        var services = new RpcServiceBuilder().AddUnary(new RpcMethod<Empty, Empty>("/test.Idle/Noop"), (request, _) => Task.FromResult(request));
        await using var host = await RpcTestHost.StartAsync(services, new RpcOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(1) });
        using var client = new TcpClient();
        await client.ConnectAsync(host.Server.Address.Host, host.Server.Address.Port);
        var stream = client.GetStream();

        // RFC 9113 §3.4: the client connection preface, then an empty SETTINGS frame.
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(FrameHeader(0, SettingsFrame, 0));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var header = new byte[9];
            await stream.ReadExactlyAsync(header, timeout.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            await stream.ReadExactlyAsync(new byte[length], timeout.Token);
            if (header[3] == SettingsFrame && (header[4] & AckFlag) == 0)
            {
                await stream.WriteAsync(FrameHeader(0, SettingsFrame, AckFlag), timeout.Token);
            }

            if (header[3] == PingFrame && (header[4] & AckFlag) == 0)
            {
                return;
            }
        }
    }

    /// <summary>RFC 9113 §4.1: 24-bit length, 8-bit type, 8-bit flags, 31-bit stream id (0 here).</summary>
    private static byte[] FrameHeader(int length, byte type, byte flags)
    {
        var header = new byte[9];
        BinaryPrimitives.WriteInt32BigEndian(header, length << 8);
        header[3] = type;
        header[4] = flags;
        return header;
    }
}
