using System.Text;

namespace Sdn.Cli.Commands;

/// <summary>Columns padded to their widest cell, two spaces apart, as `ip` and `docker ps` print them.</summary>
internal static class TextTable
{
    public static string Render(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }

        return text.ToString();
    }
}
