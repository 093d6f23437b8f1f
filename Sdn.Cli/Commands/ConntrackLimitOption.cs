using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Sdn.Fabric.Edge.Conntrack;

namespace Sdn.Cli.Commands;

/// <summary>`--conntrack-limit N`: how many connections each edge's tracker holds; new ones beyond are dropped and counted.</summary>
internal static class ConntrackLimitOption
{
    public const string Name = "--conntrack-limit";

    public static Option<int> Create() => new(Name)
    {
        Description = "How many connections each edge's connection tracker holds, allocated up front; new connections beyond it are "
            + "dropped and counted as ct_table_full (sdn stats)",
        HelpName = "N",
        DefaultValueFactory = _ => ConnectionTracker.DefaultCapacity,
        Validators =
        {
            result =>
            {
                if (result.GetValueOrDefault<int>() is var limit and (< 1 or > MaxLimit))
                {
                    result.AddError($"{Name} {limit} is out of range: use 1-{MaxLimit}");
                }
            },
        },
    };

    /// <summary>Passes the option on to the process a `--detach` starts, when given.</summary>
    public static void AddTo(List<string> arguments, ParseResult parse, Option<int> option)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetResult(option) is { Implicit: false })
        {
            arguments.AddRange(Name, parse.GetValue(option).ToString(CultureInfo.InvariantCulture));
        }
    }

    private const int MaxLimit = 1 << 24;
}
