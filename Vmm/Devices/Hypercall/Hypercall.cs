namespace Sdn.Vmm.Devices.Hypercall;

/// <summary>
/// The paravirtual call port: the guest puts a function number in EAX, arguments in RDI and RSI, and runs
/// <c>out dx, eax</c> with DX = <see cref="Port"/>. Each call is one exit (~35 µs here), so guests use it
/// only to report, to park when idle, and to exit.
/// </summary>
public static class Hypercall
{
    public const ushort Port = 0x500;

    /// <summary>Stops the VM. RDI = exit code.</summary>
    public const uint Exit = 0;

    /// <summary>Records a result. RDI = key, RSI = value (see <see cref="Guests.ReportKey"/> for the built-in keys).</summary>
    public const uint Report = 1;

    /// <summary>
    /// Parks the vCPU until a device raises an event the driver asked for (a used buffer past used_event, a config
    /// change) or RDI microseconds pass (0 = no limit).
    /// </summary>
    public const uint Idle = 2;
}
