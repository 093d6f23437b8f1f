using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>What the controller's gRPC server promises beyond its own services: reflection, health, message limits, deadlines and keepalive.</summary>
public sealed class ControllerServerTests : IAsyncLifetime
{
    private const byte SettingsFrame = 0x4;
    private const byte PingFrame = 0x6;
    private const byte AckFlag = 0x1;

    private ControllerServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null));
        _channel = RpcChannels.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_reflection_lists_the_controller_agent_health_and_both_reflection_services()
    {
        using var call = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "sdn.v1.Agent", "sdn.v1.Controller"], services);
    }

    [Fact]
    public async Task Server_reflection_describes_the_controllers_messages()
    {
        using var call = new ServerReflection.ServerReflectionClient(_channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "sdn.v1.Controller" });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes).Name);
        Assert.Contains("sdn/v1/controller.proto", files);
    }

    [Fact]
    public async Task The_health_service_says_serving()
    {
        var health = new Health.HealthClient(_channel);

        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task A_request_over_4_MiB_is_refused_with_resource_exhausted_and_changes_nothing()
    {
        var api = new Controller.ControllerClient(_channel);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            api.CreateTenantAsync(new Tenant { Name = "big", Description = new string('x', RpcSettings.DefaultMessageLimit) }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Empty((await api.ListTenantsAsync(new ListRequest())).Items);
    }

    [Fact]
    public async Task A_deadline_ends_a_call_the_server_would_keep_open()
    {
        var api = new Controller.ControllerClient(_channel);
        var started = Stopwatch.StartNew();

        var expired = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var watch = api.WatchEvents(new WatchRequest(), deadline: DateTime.UtcNow.AddMilliseconds(300));
            await watch.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.DeadlineExceeded, expired.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task The_server_pings_an_idle_connection()
    {
        await using var pinging = await ControllerServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null), new RpcSettings { KeepAlivePingDelay = TimeSpan.FromSeconds(1) });
        using var client = new TcpClient();
        await client.ConnectAsync(pinging.Address.Host, pinging.Address.Port);
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
