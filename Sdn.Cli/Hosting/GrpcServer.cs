using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Access;

namespace Sdn.Cli.Hosting;

/// <summary>
/// ASP.NET Core's gRPC server on Kestrel, HTTP/2 with TLS or without, with the given services beside server
/// reflection and the grpc.health.v1 service, so generic gRPC tools and load balancers work. Calls may need a token. Streams may last for hours, so there
/// are no body-size or data-rate limits; idle connections are pinged.
/// </summary>
internal sealed class GrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcServer(WebApplication app, Uri address)
    {
        this._app = app;
        Address = address;
    }

    /// <summary>Where clients reach the server, such as http://127.0.0.1:6653 (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <param name="addServices">Registers the service instances, as singletons.</param>
    /// <param name="mapServices">Maps them: <c>MapGrpcService&lt;T&gt;()</c> for each.</param>
    /// <param name="access">The tokens calls need and the certificate TLS is served with; neither when null.</param>
    public static async Task<GrpcServer> StartAsync(
        IPEndPoint endpoint,
        RpcSettings settings,
        Action<IServiceCollection> addServices,
        Action<IEndpointRouteBuilder> mapServices,
        ControllerAccess? access = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        access ??= ControllerAccess.Open;
        ArgumentNullException.ThrowIfNull(addServices);
        ArgumentNullException.ThrowIfNull(mapServices);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.Http2.KeepAlivePingDelay = settings.KeepAlivePingDelay;
            kestrel.Limits.Http2.KeepAlivePingTimeout = settings.KeepAlivePingTimeout;
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (access.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = settings.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = settings.MaxSendMessageSize;
            if (access.Tokens is { } tokens)
            {
                grpc.Interceptors.Add<TokenInterceptor>(tokens);
            }

            grpc.Interceptors.Add<UnexpectedErrorInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<ServingHealthCheck>("serving");
        addServices(builder.Services);

        var app = builder.Build();
        mapServices(app);
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new GrpcServer(app, Http1Application.AddressOf(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
