namespace Sdn.Vmm.Devices.Workers;

/// <summary>A device whose work <see cref="DeviceWorkers"/> serve, one turn at a time, never two at once.</summary>
internal interface IServedDevice
{
    /// <summary>Does the work that is there, for one turn, and says when to come back.</summary>
    ServeOutcome Serve();
}
