using System.Text;

namespace Sdn.Cli.Commands;

/// <summary>Columns padded to their widest cell, two spaces apart, as `ip` and `docker ps` print them.</summary>
internal static class TextTable
{
    public static string Render(string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(header, rows))
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    /// <summary>The header's line, then one line per row, without line ends.</summary>
    public static IReadOnlyList<string> Lines(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        return [.. all.Select(row => string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd())];
    }
}
