namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// A version number owned by something cached flows depend on (a flow table, the group table, port liveness).
/// A cached flow records the value it saw; when the owner changes it bumps the stamp, and every flow
/// recorded against the old value stops being used.
/// </summary>
public sealed class VersionStamp
{
    public int Value { get; private set; }

    public void Bump() => Value++;
}
