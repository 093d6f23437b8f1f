using YamlDotNet.RepresentationModel;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>Collects the problems of one topology file with their positions.</summary>
public sealed class TopologyErrors(string file)
{
    private readonly List<TopologyError> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(YamlNode at, string message) => Add((int)at.Start.Line, (int)at.Start.Column, message);

    public void Add(int line, int column, string message) => _errors.Add(new TopologyError(file, line, column, message));

    public TopologyFileException ToException() =>
        new([.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
}
