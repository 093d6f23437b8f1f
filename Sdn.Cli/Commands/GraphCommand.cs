using System.CommandLine;
using System.Net;
using Sdn.Cli.Graph;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn graph`: a web page that draws the running fabric live, as containerlab's `graph` and ONOS's topology view
/// do; or, given a topology FILE and --dot or --mermaid, the file's graph as text, without running anything.
/// </summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var file = new Argument<FileInfo?>("file") { Description = "a topology YAML file to print with --dot or --mermaid instead of serving the page", Arity = ArgumentArity.ZeroOrOne };
        var listen = ListenOption.Create("Where the page is served over HTTP, ADDRESS:PORT");
        listen.DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, 8080);
        var dot = new Option<bool>("--dot") { Description = "Print FILE's topology as Graphviz dot" };
        var mermaid = new Option<bool>("--mermaid") { Description = "Print FILE's topology as a Mermaid flowchart" };
        var command = new Command("graph", "Serve a web page that draws the running fabric live: nodes, VMs, hosts, external networks, links, their state and packet rates; or print a topology file as dot or Mermaid")
        {
            file, listen, dot, mermaid, controller,
        };
        command.Validators.Add(result =>
        {
            var text = result.GetValue(dot) || result.GetValue(mermaid);
            if (result.GetValue(dot) && result.GetValue(mermaid))
            {
                result.AddError("--dot and --mermaid each print the graph; give one");
            }
            else if (text != (result.GetValue(file) is not null))
            {
                result.AddError(text ? "--dot and --mermaid print a topology FILE; name one" : "a FILE is printed with --dot or --mermaid; leave it out to serve the running fabric's page");
            }
        });
        command.SetAction((parse, cancellationToken) => parse.GetValue(file) is { } topology
            ? Task.FromResult(Print(parse, topology, parse.GetValue(dot)))
            : ControllerClient.RunFollowingAsync(parse, controller, (client, console, stop) => ServeAsync(client, parse.GetRequiredValue(listen), console, stop), cancellationToken));
        return command;
    }

    private static int Print(ParseResult parse, FileInfo file, bool dot)
    {
        try
        {
            var topology = TopologyFile.Load(file.FullName);
            var graph = FabricGraph.Of(topology.State);
            parse.InvocationConfiguration.Output.Write(dot ? DotText.Write(topology.Name, graph) : MermaidText.Write(topology.Name, graph));
            return 0;
        }
        catch (TopologyFileException e)
        {
            foreach (var problem in e.Errors)
            {
                parse.InvocationConfiguration.Error.WriteLine(problem);
            }

            return 1;
        }
    }

    private static async Task<int> ServeAsync(Contracts.Controller.ControllerClient client, IPEndPoint listen, InvocationConfiguration console, CancellationToken stop)
    {
        // Fails with the usual message when no controller answers, before the page promises a fabric.
        await client.GetStatusAsync(new Contracts.StatusRequest(), cancellationToken: stop).ConfigureAwait(false);
        GraphServer server;
        try
        {
            server = await GraphServer.StartAsync(listen, client, stop).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CommandException($"cannot serve the page on {listen}: {e.Message}");
        }

        await using (server.ConfigureAwait(false))
        {
            await console.Output.WriteLineAsync($"serving the fabric's graph at {server.Address} (Ctrl-C stops)").ConfigureAwait(false);
            await console.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAny(server.Sampling, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false);
        }

        return 0;
    }
}
