namespace Sdn.Common.Capture;

/// <summary>Drains a capture session into a <see cref="PcapngFileRing"/>.</summary>
public readonly struct PcapngFileSink(PcapngFileRing files) : ICapturedFrameReader
{
    public void Read(CapturedFrame frame) => files.Write(frame);
}
