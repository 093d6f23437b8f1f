namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// A version number owned by something cached flows depend on (a flow table, the group table, port liveness).
/// A cached flow records the value it saw; when the owner changes it bumps the stamp, and every flow
/// recorded against the old value stops being used.
/// </summary>
/// <remarks>
/// Stamps hang off one parent that is bumped with any of them, so a cache hit can first check that single
/// parent and walk its own dependencies only after something, somewhere, has changed.
/// </remarks>
public sealed class VersionStamp(VersionStamp? parent = null)
{
    public int Value { get; private set; }

    /// <summary>The stamp bumped along with this one; null for the root.</summary>
    public VersionStamp? Parent { get; } = parent;

    public void Bump()
    {
        Value++;
        Parent?.Bump();
    }
}
