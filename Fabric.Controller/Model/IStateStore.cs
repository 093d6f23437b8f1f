using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>Where a model's desired state is kept between runs and shared between controllers.</summary>
public interface IStateStore
{
    /// <summary>The saved state with its version; an empty state at version 0 when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">What is stored is not a saved state.</exception>
    FabricState Load();

    /// <summary>Makes one accepted change durable.</summary>
    /// <param name="change">The one object created, updated or deleted, and the version it was made on.</param>
    /// <returns>The version the state has with the change.</returns>
    ulong Save(StateChange change);
}
