namespace Sdn.Vmm.Guests;

/// <summary>One report hypercall: a key, a value and when the host saw it (Stopwatch ticks).</summary>
public readonly record struct GuestReport(ReportKey Key, ulong Value, long HostTimestamp);
