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

    /// <summary>The file it was read from, which errors are reported against.</summary>
    internal string SourceFile { get; init; } = string.Empty;

    /// <summary>The objects as the file declares them, by <see cref="DeclaredObject.Id"/>; an object of <see cref="State"/> the file does not declare is taken as given in full.</summary>
    internal IReadOnlyDictionary<string, DeclaredObject> Declared { get; init; } = new Dictionary<string, DeclaredObject>();

    /// <summary>Creates every object of the topology in <paramref name="model"/>, each after what it refers to.</summary>
    /// <exception cref="ModelException">The model refuses one, because it already holds something in the way.</exception>
    public void LoadInto(FabricModel model)
    {
        foreach (var item in StateObjects.InCreationOrder(State))
        {
            item.CreateIn(model);
        }
    }

    /// <summary>
    /// Plans what turns <paramref name="running"/> into this topology (see <see cref="TopologyPlanner"/>), and rehearses
    /// the plan on a copy of <paramref name="running"/>, so that a plan the controller would refuse is refused here,
    /// before anything changes.
    /// </summary>
    /// <exception cref="TopologyFileException">The plan cannot be applied to <paramref name="running"/>: every step the model refuses, at the line of the field it is about.</exception>
    public TopologyPlan PlanFrom(FabricState running)
    {
        ArgumentNullException.ThrowIfNull(running);
        var plan = TopologyPlanner.Plan(State, running, Declares);
        Rehearse(plan, running);
        return plan;
    }

    private bool Declares(ModelObject item, string field) =>
        !Declared.TryGetValue(TopologyPlanner.Id(item), out var declared) || declared.Fields.ContainsKey(field);

    /// <summary>Runs the plan on a model holding <paramref name="running"/>; a step that refers to a refused one is skipped, its problem being the other's.</summary>
    private void Rehearse(TopologyPlan plan, FabricState running)
    {
        var model = new FabricModel(store: null);
        foreach (var item in StateObjects.InCreationOrder(running))
        {
            item.CreateIn(model);
        }

        var errors = new TopologyErrors(SourceFile);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in plan.Steps)
        {
            var id = TopologyPlanner.Id(step.Item);
            if (TopologyPlanner.References(step.Item.Message).Any(refused.Contains))
            {
                refused.Add(id);
                continue;
            }

            try
            {
                step.ApplyTo(model);
            }
            catch (ModelException e)
            {
                refused.Add(id);
                if (Declared.TryGetValue(id, out var declared))
                {
                    errors.Add(declared.At(e.Field), e.Message);
                }
                else
                {
                    errors.Add(0, 0, $"cannot {step}: {e.Message}");
                }
            }
        }

        if (errors.Any)
        {
            throw errors.ToException();
        }
    }
}

/// <param name="Listen">The address the controller's gRPC server listens on.</param>
public sealed record ControllerDefinition(IPEndPoint Listen);
