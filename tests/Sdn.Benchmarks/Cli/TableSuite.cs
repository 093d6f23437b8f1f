using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sdn.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sdn.Benchmarks.Cli;

/// <summary>
/// The CLI's tables: `sdn ports` of 3,000 ports rendered by the hand-written <see cref="TextTable"/> and by a
/// Spectre.Console table set up to print the same text (no border, left-aligned, two spaces between columns, no
/// wrapping, trailing spaces trimmed). The suite checks that both print the same text, then times them turn about.
/// </summary>
internal sealed class TableSuite : IBenchmarkSuite
{
    private const int Ports = 3000;

    public string Name => "table";

    public string Description => "`sdn ports` of 3,000 ports: the hand-written table against a borderless Spectre.Console table";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] header = ["PORT", "EDGE", "NETWORK", "KIND", "MAC", "IPV4", "IPV6", "SECURITY", "STATE", "REASON"];
        var rows = Enumerable.Range(0, Ports).Select(i => new[]
        {
            string.Create(CultureInfo.InvariantCulture, $"p{i}"), string.Create(CultureInfo.InvariantCulture, $"e{i % 17}"), "red.web", i % 3 == 0 ? "tap" : "vnic",
            string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{i / 256:x2}:{i % 256:x2}"), string.Create(CultureInfo.InvariantCulture, $"10.1.{i / 250}.{i % 250}"),
            string.Create(CultureInfo.InvariantCulture, $"fd00::{i:x}"), "on", "up", i % 100 == 0 ? "the agent of e1 is not connected" : "",
        }).ToArray();
        if (TextTable.Render(header, rows) != Spectre(header, rows))
        {
            throw new InvalidOperationException("the Spectre.Console table does not print what TextTable prints");
        }

        var rounds = options.Quick ? 2 : 15;
        var textTable = new List<(double Ms, long Bytes)>();
        var spectre = new List<(double Ms, long Bytes)>();
        for (var round = 0; round < rounds; round++)
        {
            textTable.Add(Measure(() => TextTable.Render(header, rows)));
            spectre.Add(Measure(() => Spectre(header, rows)));
        }

        var textMs = Median(textTable.Select(m => m.Ms));
        var spectreMs = Median(spectre.Select(m => m.Ms));
        var textMib = Median(textTable.Select(m => m.Bytes / 1048576.0));
        var spectreMib = Median(spectre.Select(m => m.Bytes / 1048576.0));
        return
        [
            new("texttable_ms", textMs),
            new("spectre_ms", spectreMs),
            new("time_ratio", spectreMs / textMs),
            new("texttable_allocated_mib", textMib),
            new("spectre_allocated_mib", spectreMib),
            new("allocated_ratio", spectreMib / textMib),
        ];
    }

    private static string Spectre(string[] header, IEnumerable<string[]> rows)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders();
        for (var i = 0; i < header.Length; i++)
        {
            table.AddColumn(new TableColumn(string.Empty).NoWrap().PadLeft(0).PadRight(i == header.Length - 1 ? 0 : 2));
        }

        foreach (var row in rows.Prepend(header))
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        }

        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 400;
        console.Write(table);
        var text = new StringBuilder();
        foreach (var line in writer.ToString().Split(Environment.NewLine)[..^1])
        {
            text.AppendLine(line.TrimEnd());
        }

        return text.ToString();
    }

    private static (double Ms, long Bytes) Measure(Func<string> render)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        render();
        return (clock.Elapsed.TotalMilliseconds, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
