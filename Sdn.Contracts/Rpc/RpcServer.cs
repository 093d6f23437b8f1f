using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// A gRPC server: Kestrel listening for HTTP/2 without TLS (h2c, prior knowledge), with every
/// request handed to the services of an <see cref="RpcServiceBuilder"/>.
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private RpcServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    /// <summary>Where clients reach the server, such as http://127.0.0.1:6653 (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    public static async Task<RpcServer> StartAsync(IPEndPoint endpoint, RpcServiceBuilder services, RpcOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new RpcOptions();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Streams live as long as a watch or an agent session: no body size or data-rate limits.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
            kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
        });

        var app = builder.Build();
        app.Run(new RpcDispatcher(services.Build(), options).DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RpcServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
