using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The small HTTP/1.1 servers beside the gRPC one (the metrics endpoint, the graph page): what browsers and
/// Prometheus speak, which Kestrel cannot offer on the cleartext HTTP/2 port the API listens on.
/// </summary>
internal static class Http1Application
{
    /// <summary>An empty web application with routing that serves HTTP/1.1 only, at <paramref name="endpoint"/>.</summary>
    public static WebApplicationBuilder Builder(IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddRouting();
        return builder;
    }

    /// <summary>The address a started application listens at: the real port when port 0 was asked for.</summary>
    public static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
