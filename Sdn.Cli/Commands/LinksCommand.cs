using System.CommandLine;
using System.Globalization;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>`sdn links`: every link of the running fabric, its ends, cost and administrative state.</summary>
internal static class LinksCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var command = new Command("links", "List the fabric's links: their ends, cost, and whether they are administratively down") { controller };
        command.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var links = await client.ListLinksAsync(new ListRequest()).ConfigureAwait(false);
            await output.WriteAsync(TextTable.Render(
                ["LINK", "A", "B", "COST", "ADMIN"],
                links.Items.Select(l => new[]
                {
                    l.Name, $"{l.A.Node}:{l.A.Interface}", $"{l.B.Node}:{l.B.Interface}", l.Cost.ToString(CultureInfo.InvariantCulture), l.AdminDown ? "down" : "up",
                }))).ConfigureAwait(false);
        }));
        return command;
    }
}
