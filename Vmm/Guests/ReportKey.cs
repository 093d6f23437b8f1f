namespace Sdn.Vmm.Guests;

/// <summary>The keys the built-in applications pass to the report hypercall.</summary>
public enum ReportKey : ulong
{
    /// <summary>The driver is up; value = the negotiated feature bits.</summary>
    Ready = 1,

    /// <summary>The driver could not bring the NIC up; value = the step that failed.</summary>
    DriverFailed = 2,

    PingRttTicks = 0x10,
    PingReplies = 0x11,

    PktgenSent = 0x20,

    SinkReceived = 0x30,
    SinkLost = 0x31,
    SinkReordered = 0x32,

    /// <summary>TSC ticks from the first to the last frame the sink counted.</summary>
    SinkElapsedTicks = 0x33,
}
