using System.CommandLine;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>`sdn link set LINK down|up`: takes a link out of (or back into) every path; the controller recompiles.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var link = new Argument<string>("link") { Description = "the link's name, as `sdn links` lists it" };
        var state = new Argument<string>("state") { Description = "down or up" };
        state.AcceptOnlyFromAmong("down", "up");
        var set = new Command("set", "Set a link administratively down or up; paths move off a downed link at once") { link, state, controller };
        set.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var changed = await client.SetLinkStateAsync(new SetLinkStateRequest { Name = parse.GetRequiredValue(link), AdminDown = parse.GetRequiredValue(state) == "down" }).ConfigureAwait(false);
            await output.WriteLineAsync($"link {changed.Name}: {(changed.AdminDown ? "down" : "up")}").ConfigureAwait(false);
        }));
        return new Command("link", "Change a link of the running fabric") { set };
    }
}
