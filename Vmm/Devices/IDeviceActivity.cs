namespace Sdn.Vmm.Devices;

/// <summary>What devices tell their VM: they raised an event the driver asked for (used_event, config change), which wakes a parked vCPU.</summary>
internal interface IDeviceActivity
{
    void GuestHasWork();
}
