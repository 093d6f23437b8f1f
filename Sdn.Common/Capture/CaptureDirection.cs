namespace Sdn.Common.Capture;

/// <summary>Which way a captured frame crossed its port, encoded as pcapng's epb_flags direction bits.</summary>
public enum CaptureDirection : uint
{
    Unknown = 0,

    /// <summary>The frame entered the switch or node through the port.</summary>
    Inbound = 1,

    /// <summary>The frame left through the port.</summary>
    Outbound = 2,
}
