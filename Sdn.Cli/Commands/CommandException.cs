namespace Sdn.Cli.Commands;

/// <summary>
/// A command that cannot go on: input it cannot use (a packet description, a capture file) or an outcome it waited
/// for in vain. The message names the field or the file, or says what to do.
/// </summary>
internal sealed class CommandException : Exception
{
    public CommandException()
    {
    }

    public CommandException(string message)
        : base(message)
    {
    }

    public CommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
