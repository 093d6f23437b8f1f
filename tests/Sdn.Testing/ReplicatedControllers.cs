using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Etcd;
using V3Electionpb;

namespace Sdn.Testing;

/// <summary>
/// Three real `sdn controller --store etcd://...` processes over a three-member <see cref="EtcdCluster"/>, and a
/// client that calls whichever of them answers, as `sdn --controller A,B,C` does.
/// </summary>
public sealed class ReplicatedControllers : IDisposable
{
    private readonly Dictionary<Uri, GrpcChannel> _channels = [];
    private readonly EtcdConnection _etcd;

    private readonly List<ControllerProcess> _controllers;

    private ReplicatedControllers(EtcdCluster etcd, List<ControllerProcess> controllers)
    {
        Etcd = etcd;
        _controllers = controllers;
        _etcd = new EtcdConnection(etcd.Address);
    }

    public EtcdCluster Etcd { get; }

    public IReadOnlyList<ControllerProcess> Controllers => _controllers;

    /// <summary>Every controller's address, "URL,URL,URL", as --controller takes them.</summary>
    public string Addresses => string.Join(',', Controllers.Select(c => c.Address));

    public static async Task<ReplicatedControllers> StartAsync(int controllers = 3)
    {
        var etcd = await EtcdCluster.StartAsync();
        var starting = Enumerable.Range(0, controllers).Select(_ => ControllerProcess.StartAsync(TimeSpan.FromSeconds(60), "--store", etcd.Address.Text)).ToList();
        try
        {
            return new ReplicatedControllers(etcd, [.. await Task.WhenAll(starting)]);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                started.Result.Dispose();
            }

            etcd.Dispose();
            throw;
        }
    }

    public Controller.ControllerClient Client(ControllerProcess controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (!_channels.TryGetValue(controller.Address, out var channel))
        {
            channel = RpcChannels.ForAddress(controller.Address);
            _channels[controller.Address] = channel;
        }

        return new Controller.ControllerClient(channel);
    }

    /// <summary>Starts a controller in the place of <paramref name="dead"/>, which was killed, and waits until it serves.</summary>
    public async Task<ControllerProcess> ReplaceAsync(ControllerProcess dead)
    {
        ArgumentNullException.ThrowIfNull(dead);
        var index = _controllers.IndexOf(dead);
        dead.Dispose();
        var started = await ControllerProcess.StartAsync(TimeSpan.FromSeconds(60), "--store", Etcd.Address.Text);
        _controllers[index] = started;
        return started;
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the first controller, and on the next when one cannot be reached, as
    /// `sdn --controller A,B,C` does; what a controller answers, failures included, is the result.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<Controller.ControllerClient, Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        RpcException? unreachable = null;
        foreach (var controller in Controllers)
        {
            try
            {
                return await call(Client(controller));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is not null)
            {
                unreachable = e;
            }
        }

        throw (Exception?)unreachable ?? new InvalidOperationException("no controller runs");
    }

    /// <summary>The controller etcd's election names, once it names one that runs and is not <paramref name="not"/>.</summary>
    public async Task<ControllerProcess> LeaderAsync(TimeSpan limit, ControllerProcess? not = null)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                var leader = await _etcd.Elections.LeaderAsync(new LeaderRequest { Name = ByteString.CopyFromUtf8(EtcdKeys.Election) }, deadline: DateTime.UtcNow.AddSeconds(1));
                var address = leader.Kv.Value.ToStringUtf8();
                if (Controllers.FirstOrDefault(c => c != not && !c.HasExited && c.Address.ToString().TrimEnd('/') == address) is { } found)
                {
                    return found;
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                // No leader elected yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no new leader within {limit.TotalSeconds} s:\n{string.Join("\n---\n", Controllers.Select(c => c.Output))}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        foreach (var controller in Controllers)
        {
            controller.Dispose();
        }

        _etcd.Dispose();
        Etcd.Dispose();
    }
}
