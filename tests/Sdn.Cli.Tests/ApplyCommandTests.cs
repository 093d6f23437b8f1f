using System.CommandLine;
using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sdn.Cli.Commands;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Tests;

/// <summary>
/// `sdn apply` against the real northbound service on loopback, over a model without agents. A rival client can be
/// told to change the model just before one of apply's calls, as another user racing it would.
/// </summary>
public sealed class ApplyCommandTests : IAsyncLifetime
{
    private static readonly string Quickstart = File.ReadAllText(RepositoryRoot.Combine("topologies", "quickstart.yaml"));

    /// <summary>The quickstart with a VM more (red3 on e1), host h1 less, and link e1--c1 at cost 10.</summary>
    private static readonly string Modified = Quickstart
        .Replace("  - endpoints: [e1, c1]\n", "  - { endpoints: [e1, c1], cost: 10 }\n", StringComparison.Ordinal)
        .Replace("hosts:\n  - { name: h1, edge: e2, network: red/web, ip: 10.1.0.100 }\n", string.Empty, StringComparison.Ordinal)
        .Replace("ip: 10.2.0.12 }\n", "ip: 10.2.0.12 }\n  - { name: red3, edge: e1, network: red/web, ip: 10.1.0.13 }\n", StringComparison.Ordinal);

    private readonly FabricModel _model = new(store: null);
    private readonly RivalClient _rival = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-apply-").FullName;
    private GrpcServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await GrpcServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            new RpcSettings(),
            services => services
                .AddSingleton(new ControllerService(_model, new AgentHub(_model), requestShutdown: () => { }))
                .AddSingleton(_rival)
                .AddGrpc(grpc => grpc.Interceptors.Add<RivalClient>()),
            endpoints => endpoints.MapGrpcService<ControllerService>());

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Apply_to_an_empty_fabric_creates_the_topology_its_file_describes()
    {
        var (exit, output, error) = await ApplyAsync(Quickstart);

        Assert.Equal((0, string.Empty), (exit, error));
        Assert.StartsWith("+ edge e1\n+ edge e2\n+ core node c1\n+ core node c2\n+ link e1--c1 (e1 to c1, cost 1)\n", output, StringComparison.Ordinal);
        Assert.Contains("\n+ network red.web (10.1.0.0/24)\n", output, StringComparison.Ordinal);
        Assert.Contains("\n+ vm red1 (echo on e1 in red.web, 10.1.0.11)\n", output, StringComparison.Ordinal);
        Assert.Contains("\n+ host h1 (on e2 in red.web, 10.1.0.100)\n", output, StringComparison.Ordinal);
        Assert.Matches(@"\nplan: 17 to add, 0 to change, 0 to delete\napplied in \d+ ms, state version 17\n$", output);
        var loaded = new FabricModel(store: null);
        TopologyFile.Parse(Quickstart, "quickstart.yaml").LoadInto(loaded);
        Assert.Equal(FabricStates.Canonical(loaded.Snapshot()), FabricStates.Canonical(_model.Snapshot()));
    }

    [Fact]
    public async Task The_file_the_fabric_runs_is_no_changes_and_no_call()
    {
        Load(Quickstart);
        var version = _model.Version;

        Assert.Equal((0, "no changes\n", string.Empty), await ApplyAsync(Quickstart));
        Assert.Equal(version, _model.Version);
    }

    [Fact]
    public async Task Dry_run_prints_the_plan_and_changes_nothing()
    {
        Load(Quickstart);
        var before = _model.Snapshot();
        var version = _model.Version;

        var result = await ApplyAsync(Modified, "--dry-run");

        Assert.Equal(
            (0, "- host h1\n~ link e1--c1: cost 1 → 10 (delete and re-create)\n+ vm red3 (echo on e1 in red.web, 10.1.0.13)\nplan: 1 to add, 1 to change, 1 to delete\n", string.Empty),
            result);
        Assert.Equal(version, _model.Version);
        Assert.Equal(before, _model.Snapshot());
    }

    [Fact]
    public async Task A_modified_file_and_then_the_original_return_the_fabric_to_the_original()
    {
        Load(Quickstart);
        var original = FabricStates.Canonical(_model.Snapshot());

        var (exit, output, _) = await ApplyAsync(Modified);

        Assert.Equal(0, exit);
        Assert.Matches(@"plan: 1 to add, 1 to change, 1 to delete\napplied in \d+ ms, state version 21\n$", output);
        var modified = _model.Snapshot();
        Assert.Equal(10u, modified.Links.Single(l => l.Name == "e1--c1").Cost);
        Assert.Contains(modified.Ports, p => p.Name == "red3");
        Assert.DoesNotContain(modified.Ports, p => p.Name == "h1");

        Assert.Equal(0, (await ApplyAsync(Quickstart)).Exit);
        Assert.Equal(original, FabricStates.Canonical(_model.Snapshot()));
    }

    [Fact]
    public async Task A_bad_file_is_reported_as_sdn_validate_reports_it_and_changes_nothing()
    {
        Load(Quickstart);
        var version = _model.Version;
        var file = Write(Modified.Replace("ip: 10.1.0.13 }", "ip: 10.1.0.11, colour: red }", StringComparison.Ordinal).Replace("cost: 10", "cost: ten", StringComparison.Ordinal));

        var (exit, output, error) = await SdnCli.RunAsync(_server.Address, "apply", file);

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Equal(Validate(file), error);
        Assert.Equal(3, error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: ", line));
        Assert.Equal(version, _model.Version);
    }

    [Fact]
    public async Task A_file_this_fabric_cannot_take_is_reported_at_its_line_and_column_and_changes_nothing()
    {
        Load(Quickstart.Replace("ip: 10.1.0.11 }", "ip: 10.1.0.11, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal));
        var version = _model.Version;
        var text = Modified.Replace("ip: 10.1.0.13 }", "ip: 10.1.0.13, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal);
        var file = Write(text);

        var (exit, output, error) = await SdnCli.RunAsync(_server.Address, "apply", file);

        var lines = text.Split('\n');
        var line = Array.FindIndex(lines, l => l.Contains("red3", StringComparison.Ordinal));
        var column = lines[line].IndexOf("\"02:00:00:00:00:99\"", StringComparison.Ordinal);
        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Equal($"{file}:{line + 1}:{column + 1}: mac 02:00:00:00:00:99 is already used by port 'red1' of network 'red.web'\n", error);
        Assert.Equal(version, _model.Version);
    }

    [Fact]
    public async Task A_step_the_controller_refuses_half_way_is_named_with_its_status_and_what_ran_before_it()
    {
        Load(Quickstart);
        _rival.Before("CreatePort", () => _model.Create(ResourceKinds.Ports, new Port { Name = "red3", Edge = "e2", Network = "red.web", Ipv4 = "10.1.0.99" }));

        var (exit, output, error) = await ApplyAsync(Modified);

        Assert.Equal(1, exit);
        Assert.EndsWith("plan: 1 to add, 1 to change, 1 to delete\n", output, StringComparison.Ordinal);
        Assert.Equal(
            "sdn apply: step 4 of 4 (create vm red3) failed: AlreadyExists: port 'red3' already exists\n" +
            "sdn apply: applied before it: delete host h1, delete link e1--c1, create link e1--c1; run sdn apply again to plan from the fabric as it is now\n",
            error);
        var again = await ApplyAsync(Modified);
        Assert.Contains("\n~ vm red3: edge e2 → e1, ipv4 10.1.0.99 → 10.1.0.13 (delete and re-create)\n", "\n" + again.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.Exit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_controller_that_is_not_there_is_one_line_that_names_its_address_and_exit_1(bool dryRun)
    {
        var (exit, output, error) = await SdnCli.RunAsync(_server.Address, ["apply", Write(Modified), "--controller", "http://127.0.0.1:1", .. dryRun ? ["--dry-run"] : Array.Empty<string>()]);

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.StartsWith("sdn: Unavailable: ", error, StringComparison.Ordinal);
        Assert.EndsWith(" (is `sdn up` or `sdn controller` serving at http://127.0.0.1:1/?)\n", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private void Load(string text) => TopologyFile.Parse(text, "quickstart.yaml").LoadInto(_model);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private Task<(int Exit, string Output, string Error)> ApplyAsync(string text, params string[] options) =>
        SdnCli.RunAsync(_server.Address, ["apply", Write(text), .. options]);

    private static string Validate(string file)
    {
        var error = new StringWriter { NewLine = "\n" };
        SdnCommandLine.Build().Parse(["validate", file]).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = error });
        return error.ToString();
    }

    /// <summary>Another client of the controller: it makes its change just before the next call to the method it is told of.</summary>
    private sealed class RivalClient : Interceptor
    {
        private string? _method;
        private Action? _change;

        public void Before(string method, Action change) => (_method, _change) = ($"/sdn.v1.Controller/{method}", change);

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (context.Method == _method)
            {
                _change!();
                _method = null;
            }

            return continuation(request, context);
        }
    }
}
