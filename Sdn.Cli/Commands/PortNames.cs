using System.Globalization;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Commands;

/// <summary>
/// How a flow entry's port numbers are written: as the port's name (<c>output:vm1</c>), as `ovs-ofctl --names`
/// does; in double quotes when the name could be read as a number (<c>output:"7"</c>); as the number when the port
/// has no name; and <c>in_port</c> for OpenFlow's IN_PORT.
/// </summary>
internal sealed class PortNames
{
    private readonly Dictionary<uint, string> _names;

    private PortNames(Dictionary<uint, string> names)
    {
        this._names = names;
    }

    /// <summary>Numbers only.</summary>
    public static PortNames None { get; } = new([]);

    /// <summary>The names of <paramref name="ports"/>; a port without a name keeps its number, and the first of one number wins.</summary>
    public static PortNames Of(IEnumerable<PortConfig> ports)
    {
        var names = new Dictionary<uint, string>();
        foreach (var port in ports.Where(p => p.Name.Length > 0))
        {
            names.TryAdd(port.Number, port.Name);
        }

        return new PortNames(names);
    }

    public string Write(uint number) =>
        number == PortNumbers.InPort ? "in_port"
        : !_names.TryGetValue(number, out var name) ? number.ToString(CultureInfo.InvariantCulture)
        : name.All(char.IsAsciiDigit) ? $"\"{name}\""
        : name;
}
