using System.Globalization;
using System.Text;
using Sdn.Fabric.Core.Protos;

namespace Sdn.Fabric.Core.Southbound;

/// <summary>
/// What names a flow entry within a node, as OpenFlow defines it: table, priority and match. The match's
/// fields are taken in field order, so two entries that list the same fields differently are the same entry.
/// </summary>
public static class FlowIdentity
{
    public static string Of(FlowEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder(64);
        text.Append(CultureInfo.InvariantCulture, $"{entry.TableId:D3}/{entry.Priority:D5}");
        foreach (var field in entry.Match.Count < 2 ? (IEnumerable<FieldMatch>)entry.Match : entry.Match.OrderBy(m => m.Field).ThenBy(m => m.Value.ToBase64(), StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"/{(int)field.Field}=").Append(Convert.ToHexString(field.Value.Span)).Append('&').Append(Convert.ToHexString(field.Mask.Span));
        }

        return text.ToString();
    }
}
