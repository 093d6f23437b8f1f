using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>One accepted change to the desired state: <paramref name="Changed"/> as it is after a <paramref name="Type"/> (as it was, for a delete), made on top of version <paramref name="Basis"/>.</summary>
public sealed record StateChange(EventType Type, ModelObject Changed, ulong Basis);
