using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sdn.Cli.Hosting;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// The web server of `sdn graph`: HTTP/1.1 on Kestrel, since browsers cannot speak the controller's cleartext HTTP/2
/// gRPC. It serves the page, streams the sampler's snapshots to it as server-sent events at /events, and answers
/// /nodes/KIND/NAME with a node's details; it talks gRPC to the controller for all of it.
/// </summary>
internal sealed class GraphServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private GraphServer(WebApplication app, FabricSampler sampler, Uri address)
    {
        _app = app;
        Address = address;
        _sampling = sampler.RunAsync(_stop.Token);
    }

    /// <summary>The page's address, such as http://127.0.0.1:8080/ (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Completes when sampling fails for a reason other than the controller's answers, which the page shows instead.</summary>
    public Task Sampling => _sampling;

    public static async Task<GraphServer> StartAsync(IPEndPoint endpoint, Controller.ControllerClient client, CancellationToken cancellationToken)
    {
        var app = Http1Application.Builder(endpoint).Build();
        var sampler = new FabricSampler(client);
        var inspector = new NodeInspector(client);
        app.UseRouting();
        app.MapGet("/", () => GraphPage.Serve("index.html"));
        app.MapGet("/{file}", (string file) => GraphPage.Serve(file));
        app.MapGet("/events", (CancellationToken aborted) => TypedResults.ServerSentEvents(sampler.WatchAsync(aborted), eventType: "fabric"));
        app.MapGet("/nodes/{kind}/{name}", async (string kind, string name, CancellationToken aborted) =>
        {
            try
            {
                return await inspector.InspectAsync(kind, name, aborted).ConfigureAwait(false) is { } details
                    ? Results.Json(details)
                    : Results.Text($"the fabric has no {kind} named {name}", statusCode: StatusCodes.Status404NotFound);
            }
            catch (RpcException e)
            {
                return Results.Text($"the controller answered {e.StatusCode}: {e.Status.Detail}", statusCode: StatusCodes.Status502BadGateway);
            }
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new GraphServer(app, sampler, new Uri(Http1Application.AddressOf(app), "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sampling.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
