namespace Sdn.Fabric.Controller.Model;

/// <summary>The one error of the model: a request was refused, and the state is exactly as it was.</summary>
public sealed class ModelException : Exception
{
    public ModelException(ModelError error, string message, string? field = null)
        : base(message)
    {
        Error = error;
        Field = field;
    }

    public ModelException()
        : this(ModelError.InvalidArgument, "invalid request")
    {
    }

    public ModelException(string message)
        : this(ModelError.InvalidArgument, message)
    {
    }

    public ModelException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ModelError.InvalidArgument;
    }

    public ModelError Error { get; }

    /// <summary>
    /// The field of the refused object the problem is in, as the .proto names it ("ipv4", "vm.params.target"),
    /// when it is in one: a topology file reports the error at the line of that field.
    /// </summary>
    public string? Field { get; }

    public static ModelException Invalid(string message, string? field = null) => new(ModelError.InvalidArgument, message, field);

    public static ModelException NotFound(string kind, string name, string? field = null) =>
        new(ModelError.NotFound, $"{kind} '{name}' does not exist; create it first or check the name", field);

    public static ModelException Exists(string message, string? field = null) => new(ModelError.AlreadyExists, message, field);

    public static ModelException Precondition(string message, string? field = null) => new(ModelError.FailedPrecondition, message, field);
}
