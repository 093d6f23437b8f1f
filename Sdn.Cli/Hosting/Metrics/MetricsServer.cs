using System.Net;
using Microsoft.AspNetCore.Builder;
using Prometheus;
using Sdn.Contracts;

namespace Sdn.Cli.Hosting.Metrics;

/// <summary>
/// A process's Prometheus endpoint: <c>GET /metrics</c> over HTTP/1.1 on a listener of its own, since the gRPC
/// listener speaks HTTP/2 without TLS, which Kestrel cannot offer beside HTTP/1.1 on one port. It serves read-only
/// counters to anyone who can reach it, with no token.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    public const int DefaultPort = 9464;

    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address, CollectorRegistry registry)
    {
        _app = app;
        Address = address;
        Latencies = new LatencyMetrics(registry);
    }

    /// <summary>The scrape URL, such as http://127.0.0.1:9464/metrics (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Where compile and apply times are recorded.</summary>
    public LatencyMetrics Latencies { get; }

    /// <param name="nodes">The nodes' latest counters, read at each scrape.</param>
    /// <exception cref="HostingException">The endpoint cannot be listened on, such as when another process holds its port.</exception>
    public static async Task<MetricsServer> StartAsync(IPEndPoint endpoint, Func<IReadOnlyList<NodeStats>> nodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        _ = new CounterMetrics(registry, nodes);
        var app = Http1Application.Builder(endpoint).Build();
        app.MapMetrics("/metrics", registry);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new HostingException($"cannot serve metrics on {endpoint}: {e.Message}; give --metrics another address or port", e);
        }

        var server = new MetricsServer(app, new Uri(Http1Application.AddressOf(app), "/metrics"), registry);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
