namespace Sdn.Fabric.Controller.Etcd;

/// <summary>
/// A change was refused by the store because it was validated against a version the store has moved past: another
/// controller wrote in between. Nothing was changed; once this controller's model has caught up with
/// <see cref="Current"/> the request can be validated and tried again.
/// </summary>
public sealed class StaleStateException : Exception
{
    public StaleStateException(ulong basis, ulong current)
        : base($"the state moved from version {basis} to {current} at another controller while this change was validated; nothing was changed, try it again")
    {
        Basis = basis;
        Current = current;
    }

    public StaleStateException()
    {
    }

    public StaleStateException(string message)
        : base(message)
    {
    }

    public StaleStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ulong Basis { get; }

    /// <summary>The version the store holds.</summary>
    public ulong Current { get; }
}
