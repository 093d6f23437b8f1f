using Sdn.Common.Capture;
using Sdn.Contracts;

namespace Sdn.Contracts.Capture;

/// <summary>A capture's direction as the sdn.v1 messages carry it, and back.</summary>
public static class ProtoDirection
{
    public static Direction From(CaptureDirection direction) => direction switch
    {
        CaptureDirection.Inbound => Direction.In,
        CaptureDirection.Outbound => Direction.Out,
        _ => Direction.Unspecified,
    };

    /// <summary>The one direction <paramref name="direction"/> names; null for both (or unspecified).</summary>
    public static CaptureDirection? ToCapture(Direction direction) => direction switch
    {
        Direction.In => CaptureDirection.Inbound,
        Direction.Out => CaptureDirection.Outbound,
        _ => null,
    };
}
