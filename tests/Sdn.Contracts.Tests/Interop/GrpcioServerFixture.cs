using System.Diagnostics;
using Grpc.Net.Client;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts.Tests.Interop;

/// <summary>grpcio_server.py running under Debian's python3, and a channel to it as agents and the CLI open one.</summary>
public sealed class GrpcioServerFixture : IAsyncLifetime, IDisposable
{
    private Process? _python;
    private GrpcChannel? _channel;

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("the grpcio server is not running");

    public async Task InitializeAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "grpcio_server.py");
        _python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        var port = await _python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("the grpcio server exited before printing its port");
        _channel = RpcChannels.ForAddress(new Uri($"http://127.0.0.1:{port}"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _channel?.Dispose();
        if (_python is not null)
        {
            _python.StandardInput.Close();
            _python.WaitForExit(TimeSpan.FromSeconds(10));
            _python.Dispose();
        }
    }
}
