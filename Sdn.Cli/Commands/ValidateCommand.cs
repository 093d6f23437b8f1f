using System.CommandLine;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Commands;

/// <summary>`sdn validate FILE`: checks a topology file and reports every problem with its line and column.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the topology YAML file" };
        var command = new Command("validate", "Check a topology file without starting anything") { file };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!.FullName;
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            try
            {
                var topology = TopologyFile.Load(path);
                output.WriteLine(
                    $"{path}: topology '{topology.Name}' is valid: {topology.State.Edges.Count} edges, {topology.State.CoreNodes.Count} core nodes, " +
                    $"{topology.State.Links.Count} links, {topology.Vms.Count()} VMs, {topology.Hosts.Count()} hosts");
                return 0;
            }
            catch (TopologyFileException e)
            {
                foreach (var problem in e.Errors)
                {
                    error.WriteLine(problem);
                }

                return 1;
            }
        });
        return command;
    }
}
