using System.CommandLine;

namespace Sdn.Cli.Commands;

/// <summary>
/// The `sdn` command tree. Each command is added here when the issue that makes it work lands,
/// so `sdn --help` never lists a command that does nothing.
/// </summary>
public static class SdnCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Sdn: a software-defined networking fabric for virtual machines. " +
            "KVM micro-VMs with virtio-net, edge switches with OpenFlow-like tables, " +
            "an MPLS-style label-switched core, and a gRPC controller.");
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(ControllerCommand.Build());
        root.Subcommands.Add(NodeCommand.Edge());
        root.Subcommands.Add(NodeCommand.Core());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(EndpointListCommands.Ports());
        root.Subcommands.Add(EndpointListCommands.Vms());
        root.Subcommands.Add(EndpointListCommands.Hosts());
        root.Subcommands.Add(LinksCommand.Create());
        root.Subcommands.Add(LinkCommand.Create());
        root.Subcommands.Add(FlowsCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(DownCommand.Create());
        root.Subcommands.Add(CaptureCommand.Create());
        root.Subcommands.Add(MirrorCommand.Create());
        root.Subcommands.Add(PingCommand.Create());
        root.Subcommands.Add(GraphCommand.Create());
        AddAccessOptions(root);
        return root;
    }

    /// <summary>Gives every command that calls a controller (it has `--controller`) the options that say how to prove who calls.</summary>
    private static void AddAccessOptions(Command command)
    {
        if (command.Options.Any(o => o.Name == ControllerClient.OptionName))
        {
            command.Options.Add(AccessOptions.TokenFile);
            command.Options.Add(AccessOptions.Authorities);
        }

        foreach (var subcommand in command.Subcommands)
        {
            AddAccessOptions(subcommand);
        }
    }
}
