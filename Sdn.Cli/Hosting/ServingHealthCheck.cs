using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Sdn.Cli.Hosting;

/// <summary>The server's own health, as grpc.health.v1 reports it: SERVING until it starts to stop, then NOT_SERVING.</summary>
internal sealed class ServingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("stopping") : HealthCheckResult.Healthy());
}
