namespace Sdn.Common.Capture;

/// <summary>Consumes frames drained from a <see cref="CaptureRing"/>; a struct so the call is not virtual.</summary>
public interface ICapturedFrameReader
{
    void Read(CapturedFrame frame);
}
