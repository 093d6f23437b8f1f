using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sdn.Cli.Hosting.Metrics;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Etcd;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The controller as a running process sees it: a model, served over gRPC northbound (sdn.v1.Controller) and
/// southbound (sdn.v1.Agent), and a programmer that keeps every connected node running what the model compiles to.
/// </summary>
internal sealed class ControllerServer : IAsyncDisposable
{
    /// <summary>The controller's well-known TCP port (the OpenFlow controller port).</summary>
    public const int DefaultPort = 6653;

    private readonly GrpcServer _server;

    private readonly FabricProgrammer? _programmer;

    private readonly ControllerCluster? _cluster;

    private readonly CancellationTokenSource _shutdown;

    private ControllerServer(GrpcServer server, FabricModel model, AgentHub agents, FabricProgrammer? programmer, ControllerCluster? cluster, CancellationTokenSource shutdown, MetricsServer? metrics)
    {
        this._server = server;
        this._programmer = programmer;
        this._cluster = cluster;
        this._shutdown = shutdown;
        Model = model;
        Agents = agents;
        Metrics = metrics;
        if (metrics is not null)
        {
            if (programmer is not null)
            {
                programmer.Recompiled += (_, took) => metrics.Latencies.Compiled(took);
            }

            if (cluster is not null)
            {
                cluster.Recompiled += (_, took) => metrics.Latencies.Compiled(took);
            }
        }
    }

    public Uri Address => _server.Address;

    /// <summary>The Prometheus endpoint, with every node's counters as <see cref="AgentHub.Stats"/> gives them; null when none was asked for.</summary>
    public MetricsServer? Metrics { get; }

    public FabricModel Model { get; }

    /// <summary>The southbound side: node agents' sessions, and where compiled programs are published.</summary>
    public AgentHub Agents { get; }

    /// <summary>Cancelled when a client calls Shutdown: the process serving the controller should stop as on SIGTERM.</summary>
    public CancellationToken ShutdownRequested => _shutdown.Token;

    /// <summary>What the nodes were last given.</summary>
    /// <exception cref="InvalidOperationException">This controller follows another that shares its etcd cluster, and programs no node.</exception>
    public CompiledFabric Compiled => Programmer.Compiled;

    /// <summary>The model version <see cref="Compiled"/> reflects.</summary>
    /// <exception cref="InvalidOperationException">This controller follows another that shares its etcd cluster, and programs no node.</exception>
    public ulong CompiledModelVersion => Programmer.ModelVersion;

    private FabricProgrammer Programmer => _programmer ?? _cluster?.Programmer ?? throw new InvalidOperationException("this controller follows, and programs no node");

    /// <param name="model">The desired state to serve and program the nodes with.</param>
    /// <param name="settings">Message limits and keepalive; the gRPC defaults (4 MiB) when null.</param>
    /// <param name="watchLimit">How many changes a WatchEvents call may fall behind before it is ended (<see cref="ControllerService.DefaultWatchLimit"/>).</param>
    /// <param name="access">Tokens and TLS; <see cref="ControllerAccess.Open"/> when null, which serves loopback only.</param>
    /// <param name="metrics">Where to serve the Prometheus endpoint; none when null.</param>
    /// <param name="cluster">
    /// The etcd cluster <paramref name="model"/> is stored in, shared with other controllers: this one then follows it, campaigns,
    /// and programs the nodes only while it leads, announcing <paramref name="advertise"/> (by default the address it serves on)
    /// to agents that a follower turns away. Null for a lone controller, which always programs.
    /// </param>
    /// <exception cref="HostingException">The endpoint reaches other hosts and <paramref name="access"/> guards it with neither tokens nor TLS, nor says insecure; or the metrics endpoint cannot be listened on.</exception>
    public static async Task<ControllerServer> StartAsync(
        IPEndPoint endpoint,
        FabricModel model,
        RpcSettings? settings = null,
        int watchLimit = ControllerService.DefaultWatchLimit,
        ControllerAccess? access = null,
        IPEndPoint? metrics = null,
        ControllerCluster? cluster = null,
        Uri? advertise = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        access ??= ControllerAccess.Open;
        access.CheckListen(endpoint);
        var agents = new AgentHub(model);
        var metricsServer = metrics is null ? null : await MetricsServer.StartAsync(metrics, () => agents.Stats(""), cancellationToken).ConfigureAwait(false);
        var shutdown = new CancellationTokenSource();
        // Cancelled on the thread pool: whoever waits on the token tears down (this server included) after Shutdown is answered.
        var northbound = new ControllerService(model, agents, () => shutdown.CancelAsync(), watchLimit, cluster is null ? null : cluster.RequireLeader);
        GrpcServer server;
        try
        {
            server = await GrpcServer.StartAsync(
                endpoint,
                settings ?? new RpcSettings(),
                services =>
                {
                    services.AddSingleton(northbound).AddSingleton(new AgentService(agents, cluster is null ? null : cluster.AdmitAgent));
                    if (cluster is not null)
                    {
                        services.Configure<GrpcServiceOptions<ControllerService>>(options => options.Interceptors.Add<StaleWriteRetryInterceptor>(model));
                    }
                },
                endpoints =>
                {
                    endpoints.MapGrpcService<ControllerService>();
                    endpoints.MapGrpcService<AgentService>();
                },
                access,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            shutdown.Dispose();
            if (metricsServer is not null)
            {
                await metricsServer.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        if (cluster is null)
        {
            return new ControllerServer(server, model, agents, new FabricProgrammer(model, agents), null, shutdown, metricsServer);
        }

        cluster.Start(model, agents, (advertise ?? server.Address).ToString().TrimEnd('/'));
        return new ControllerServer(server, model, agents, null, cluster, shutdown, metricsServer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_programmer is not null)
        {
            await _programmer.DisposeAsync().ConfigureAwait(false);
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        Agents.Close();
        await _server.DisposeAsync().ConfigureAwait(false);
        if (Metrics is not null)
        {
            await Metrics.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
    }
}
