using System.CommandLine;
using System.Diagnostics;
using Sdn.Cli.Output;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn apply FILE [--dry-run]`: compares a topology file with the running fabric, prints the plan (what it adds,
/// changes and deletes), then makes it so through the controller's API. A file that cannot be applied changes nothing.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the topology YAML file" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and change nothing" };
        var controller = ControllerClient.CreateOption();
        var command = new Command(
            "apply",
            "Make the running fabric what a topology file describes: print what it adds, changes and deletes, then do it through the API")
        {
            file,
            dryRun,
            controller,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            TopologyDefinition topology;
            try
            {
                topology = TopologyFile.Load(parse.GetValue(file)!.FullName);
            }
            catch (TopologyFileException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }

            return await ControllerClient.RunAsync(
                parse,
                controller,
                (api, console, stop) => ApplyAsync(topology, api, parse.GetValue(dryRun), console.Output, console.Error, stop),
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ApplyAsync(TopologyDefinition topology, Controller.ControllerClient api, bool dryRun, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var running = await api.GetStateAsync(new GetStateRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        TopologyPlan plan;
        try
        {
            plan = topology.PlanFrom(running);
        }
        catch (TopologyFileException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }

        foreach (var line in plan.Lines.Append(plan.Summary))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        if (dryRun || plan.IsEmpty)
        {
            return 0;
        }

        var clock = Stopwatch.StartNew();
        var progress = new WorkProgress();
        try
        {
            var applying = plan.ApplyAsync(api, index => progress.Report(new ProgressReport("applying", index, plan.Steps.Count, plan.Steps[index].ToString())), cancellationToken);
            await Terminal.Of(output).ShowProgressAsync(progress, applying).ConfigureAwait(false);
        }
        catch (PlanStepException e)
        {
            await error.WriteLineAsync($"sdn apply: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync(e.Applied.Count == 0
                ? "sdn apply: nothing was applied"
                : $"sdn apply: applied before it: {string.Join(", ", e.Applied)}; run sdn apply again to plan from the fabric as it is now").ConfigureAwait(false);
            return 1;
        }

        var applied = await api.GetStateAsync(new GetStateRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"applied in {clock.ElapsedMilliseconds} ms, state version {applied.Version}").ConfigureAwait(false);
        return 0;
    }
}
