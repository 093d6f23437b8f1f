using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Fabric.Controller.Northbound;

namespace Sdn.Cli.Commands;

/// <summary>`--listen ADDRESS:PORT`: where a controller serves gRPC.</summary>
internal static class ListenOption
{
    public static Option<IPEndPoint> Create(string description) => new("--listen")
    {
        Description = description,
        CustomParser = result => IPEndPoint.TryParse(result.Tokens.Single().Value, out var endpoint) ? endpoint : Refuse(result),
    };

    private static IPEndPoint? Refuse(ArgumentResult result)
    {
        result.AddError($"'{result.Tokens.Single().Value}' is not an address and port such as 127.0.0.1:{ControllerServer.DefaultPort}");
        return null;
    }
}
