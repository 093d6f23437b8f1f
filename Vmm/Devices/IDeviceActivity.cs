namespace Sdn.Vmm.Devices;

/// <summary>What devices tell their VM: they put work in front of the guest (wake it if parked), and they made progress (for the watchdog).</summary>
internal interface IDeviceActivity
{
    void GuestHasWork();
}
