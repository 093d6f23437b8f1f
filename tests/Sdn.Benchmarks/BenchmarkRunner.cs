using System.Globalization;
using System.Text.Json;

namespace Sdn.Benchmarks;

/// <summary>Parses `SUITE [--json] [--quick]`, runs the suite, and prints its figures.</summary>
internal static class BenchmarkRunner
{
    private static readonly IBenchmarkSuite[] Suites =
    [
        new Packets.PacketsSuite(),
        new Controller.ControllerSuite(),
        new Edge.EdgeSuite(),
        new Edge.EdgeL3Suite(),
        new Edge.EdgeConntrackSuite(),
        new Edge.EdgeNatSuite(),
        new Capture.CaptureSuite(),
        new Cli.TableSuite(),
        new Core.CoreSuite(),
        new Vmm.VmmSuite(),
        new EndToEnd.EndToEndSuite(),
        new Live.LiveSuite(),
        new Rack.RackSuite(),
        new Density.DensitySuite(),
        new Scale.ScaleSuite(),
        new Scale.HaSuite(),
    ];

    public static int Run(string[] args)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var json = args.Contains("--json");
        var options = new BenchmarkOptions(Quick: args.Contains("--quick"));

        if (positional.Length != 1)
        {
            PrintUsage();
            return 2;
        }

        var suite = Suites.FirstOrDefault(s => s.Name == positional[0]);
        if (suite is null)
        {
            Console.Error.WriteLine($"unknown benchmark suite '{positional[0]}'");
            PrintUsage();
            return 2;
        }

        var figures = suite.Run(options);
        Console.WriteLine(json ? ToJson(suite.Name, figures) : ToText(figures));
        return 0;
    }

    private static string ToJson(string suite, IReadOnlyList<KeyValuePair<string, double>> figures)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("suite", suite);
            foreach (var (name, value) in figures)
            {
                writer.WriteNumber(name, Math.Round(value, 4));
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string ToText(IReadOnlyList<KeyValuePair<string, double>> figures) =>
        string.Join(Environment.NewLine, figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key,-28} {f.Value:0.####}")));

    private static void PrintUsage()
    {
        Console.Error.WriteLine("usage: Sdn.Benchmarks SUITE [--json] [--quick]");
        foreach (var s in Suites)
        {
            Console.Error.WriteLine($"  {s.Name,-12} {s.Description}");
        }
    }
}
