using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// A topology file, read and checked: its name, where its controller listens, and the desired state it declares,
/// exactly as the model holds it (defaults filled in, MACs allocated), since the file was checked by the model's
/// own rules.
/// </summary>
public sealed record TopologyDefinition(string Name, ControllerDefinition Controller, FabricState State)
{
    /// <summary>The VNIC ports, each with its VM.</summary>
    public IEnumerable<Port> Vms => State.Ports.Where(p => p.Kind == PortKind.Vnic);

    /// <summary>The TAP ports, each with its host.</summary>
    public IEnumerable<Port> Hosts => State.Ports.Where(p => p.Kind == PortKind.Tap);

    /// <summary>Creates every object of the topology in <paramref name="model"/>, each after what it refers to.</summary>
    /// <exception cref="ModelException">The model refuses one, because it already holds something in the way.</exception>
    public void LoadInto(FabricModel model)
    {
        foreach (var item in StateObjects.InCreationOrder(State))
        {
            item.CreateIn(model);
        }
    }
}

/// <param name="Listen">The address the controller's gRPC server listens on.</param>
public sealed record ControllerDefinition(IPEndPoint Listen);
