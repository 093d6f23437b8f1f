namespace Sdn.Fabric.Controller.Model;

/// <summary>The one error of the model: a request was refused, and the state is exactly as it was.</summary>
public sealed class ModelException : Exception
{
    public ModelException(ModelError error, string message)
        : base(message)
    {
        Error = error;
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

    public static ModelException Invalid(string message) => new(ModelError.InvalidArgument, message);

    public static ModelException NotFound(string kind, string name) => new(ModelError.NotFound, $"{kind} '{name}' does not exist; create it first or check the name");

    public static ModelException Exists(string message) => new(ModelError.AlreadyExists, message);

    public static ModelException Precondition(string message) => new(ModelError.FailedPrecondition, message);
}
