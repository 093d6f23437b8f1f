using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Sdn.Benchmarks.Controller;

/// <summary>
/// The floor under a unary gRPC call: the same Kestrel h2c server and HttpClient HTTP/2 client,
/// answering a POST with a few bytes and no gRPC framing, trailers or protobuf.
/// </summary>
internal sealed class RawHttp2Baseline : IAsyncDisposable
{
    private static readonly byte[] Reply = [1, 2, 3, 4, 5, 6, 7, 8];

    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private readonly Uri _address;

    private RawHttp2Baseline(WebApplication app, Uri address)
    {
        this._app = app;
        this._address = address;
        _client = new HttpMessageInvoker(new SocketsHttpHandler());
    }

    public static async Task<RawHttp2Baseline> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.Body.WriteAsync(Reply);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RawHttp2Baseline(app, new Uri(address));
    }

    public async Task RoundTripAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _address)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Reply),
        };
        using var response = await _client.SendAsync(request, CancellationToken.None);
        await response.Content.ReadAsByteArrayAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
