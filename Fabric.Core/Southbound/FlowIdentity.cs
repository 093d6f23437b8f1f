using Google.Protobuf;
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
        var match = new MemoryStream();
        foreach (var field in entry.Match.OrderBy(m => m.Field))
        {
            field.WriteDelimitedTo(match);
        }

        return $"{entry.TableId:D3}/{entry.Priority:D5}/{Convert.ToHexString(match.GetBuffer(), 0, (int)match.Length)}";
    }
}
