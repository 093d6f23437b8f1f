namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>A clock that moves only when a test says so, so timeout tests never sleep.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = 1;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
