namespace Sdn.Fabric.Controller.Topology;

/// <summary>A topology file that cannot be used; <see cref="Errors"/> lists every problem found, in file order.</summary>
public sealed class TopologyFileException : Exception
{
    public TopologyFileException(IReadOnlyList<TopologyError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public TopologyFileException()
    {
        Errors = [];
    }

    public TopologyFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    public TopologyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<TopologyError> Errors { get; }
}
