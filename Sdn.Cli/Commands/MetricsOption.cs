using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Sdn.Cli.Hosting.Metrics;

namespace Sdn.Cli.Commands;

/// <summary>`--metrics ADDRESS:PORT`: where a process serves its Prometheus endpoint, /metrics over HTTP/1.1; off unless given.</summary>
internal static class MetricsOption
{
    public const string Name = "--metrics";

    public static Option<IPEndPoint> Create() => new(Name)
    {
        Description = $"Serve Prometheus metrics (GET /metrics, HTTP/1.1) at this address and port, such as 127.0.0.1:{MetricsServer.DefaultPort}; " +
            "off unless given. The endpoint takes no token: it shows read-only counters to whoever reaches it.",
        HelpName = "IP:PORT",
        CustomParser = Parse,
    };

    /// <summary>Passes the option on to the process a `--detach` starts, when given.</summary>
    public static void AddTo(List<string> arguments, ParseResult parse, Option<IPEndPoint> option)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetValue(option) is { } endpoint)
        {
            arguments.AddRange(Name, endpoint.ToString());
        }
    }

    /// <summary>", serving metrics on URL", for the line a process prints once it serves; empty without an endpoint.</summary>
    public static string Serving(MetricsServer? server) => server is null ? "" : $", metrics on {server.Address}";

    private static IPEndPoint? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        // IPEndPoint takes an address without a port as port 0; the port must be given, 0 for any free one.
        if (IPEndPoint.TryParse(text, out var endpoint) && (endpoint.Port != 0 || text.EndsWith(":0", StringComparison.Ordinal)))
        {
            return endpoint;
        }

        result.AddError($"--metrics '{text}' is not an address and port such as 127.0.0.1:{MetricsServer.DefaultPort}");
        return null;
    }
}
