namespace Sdn.Vmm.Devices.Workers;

/// <summary>What a device asks of the workers after one turn of <see cref="IServedDevice.Serve"/>.</summary>
internal enum ServeOutcome
{
    /// <summary>Nothing left to do: serve it again when its doorbell is signalled.</summary>
    Sleep,

    /// <summary>Still busy, but its turn is over: serve it again after the other devices that are ready.</summary>
    Yield,

    /// <summary>Its backend cannot take more: serve it again when signalled (the backend kicks it) or after a millisecond.</summary>
    RetrySoon,
}
