using System.CommandLine;

namespace Sdn.Cli.Commands;

/// <summary>`--json`: print the controller's reply as protobuf JSON instead of text, for scripts.</summary>
internal static class JsonOption
{
    public static Option<bool> Create() => new("--json") { Description = "Print the reply as JSON (the protobuf JSON mapping of the API's message)" };
}
