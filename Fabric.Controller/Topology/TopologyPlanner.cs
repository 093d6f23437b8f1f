using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Works out what turns a running fabric into a desired one: the objects to add, change and delete, and the calls
/// that do it in an order the controller accepts.
/// </summary>
/// <remarks>
/// <para>
/// <b>Matching.</b> An object is the same object when its kind and name are (edges and core nodes share one name
/// space, so an edge that becomes a core node is a change). The state version is no object, and is never compared.
/// </para>
/// <para>
/// <b>Changes.</b> The API has no update: an object whose fields differ is deleted and created again. The controller
/// refuses to delete what is still referred to, so everything that refers to a re-created object is re-created too
/// (a network's ports, a node's links, the VMs that target a port), and the plan says why. A link whose only
/// difference is its administrative state is set in place instead.
/// </para>
/// <para>
/// <b>Fields the file does not declare.</b> The desired state comes from a scratch model, which fills in every field
/// the file leaves out. Defaults (a link's cost 1, an echo VM's 4 MiB) are the file's word: leaving a key out means the
/// default, so taking the key out again undoes a change. Two kinds of field are not, unless the file declares them:
/// </para>
/// <list type="bullet">
/// <item>what the model allocates from the state around the object (a port's MAC and addresses): the scratch model's
/// choice is no better than the running one, so it is not compared, and an object that is (re)created asks the
/// controller to allocate it again;</item>
/// <item>what is set on the running fabric rather than in a file (a link's admin_down, set by `sdn link set`) or what
/// the file format has no key for (an edge's address, a network's MTU): the running value stands, and is carried
/// over when the object is re-created.</item>
/// </list>
/// <para>
/// <b>Order.</b> All deletions run first, what refers to an object before the object; then all creations, each after
/// what it refers to; then the links set in place. So nothing the plan creates meets an address or a name that the
/// plan frees.
/// </para>
/// </remarks>
internal static class TopologyPlanner
{
    private static readonly Dictionary<Type, string[]> Allocated = new()
    {
        [typeof(Port)] = ["mac", "ipv4", "ipv6"],
    };

    private static readonly Dictionary<Type, string[]> Kept = new()
    {
        [typeof(Link)] = ["admin_down", "a.interface", "b.interface"],
        [typeof(Tenant)] = ["description"],
        [typeof(Network)] = ["mtu"],
        [typeof(AclRule)] = ["src_ports"],
        [typeof(EdgeNode)] = ["address", "description"],
        [typeof(CoreNode)] = ["address", "description"],
    };

    private const string AdminDown = "admin_down";

    /// <param name="declares">Whether the desired object declares a field, by the field's .proto path.</param>
    public static TopologyPlan Plan(FabricState desired, FabricState running, Func<ModelObject, string, bool> declares)
    {
        var runningInOrder = StateObjects.InCreationOrder(running).ToList();
        var current = runningInOrder.ToDictionary(Id, StringComparer.Ordinal);
        // A copy, whose objects become the requests the plan sends.
        var wanted = StateObjects.InCreationOrder(desired.Clone()).ToList();
        var wantedIds = wanted.Select(Id).ToHashSet(StringComparer.Ordinal);
        var why = new Dictionary<string, string>(StringComparer.Ordinal);
        var inPlace = new Dictionary<string, FieldDifference>(StringComparer.Ordinal);
        // What differs from the running object, once the fields the file leaves to the running fabric are taken from it.
        foreach (var item in wanted)
        {
            if (!current.TryGetValue(Id(item), out var now))
            {
                continue;
            }

            if (item.Message.GetType() != now.Message.GetType())
            {
                why[Id(item)] = $"was a {now.Kind}";
                continue;
            }

            foreach (var field in FieldsOf(Allocated, item).Concat(FieldsOf(Kept, item)).Where(f => !declares(item, f)))
            {
                FieldDifferences.Set(item.Message, field, FieldDifferences.Get(now.Message, field));
            }

            var differences = FieldDifferences.Between(now.Message, item.Message);
            if (differences.Any(d => d.Path != AdminDown))
            {
                why[Id(item)] = string.Join(", ", differences);
            }
            else if (differences.Count > 0)
            {
                inPlace[Id(item)] = differences[0];
            }
        }

        // In creation order, what an object refers to comes before it: one pass re-creates every dependent, however deep.
        foreach (var now in runningInOrder.Where(o => wantedIds.Contains(Id(o)) && !why.ContainsKey(Id(o))))
        {
            if (References(now.Message).FirstOrDefault(why.ContainsKey) is { } cause)
            {
                why[Id(now)] = $"{PlanText.Label(current[cause])} is re-created";
                inPlace.Remove(Id(now));
            }
        }

        var deleted = Enumerable.Reverse(runningInOrder).Where(o => !wantedIds.Contains(Id(o))).ToList();
        var added = wanted.Where(o => !current.ContainsKey(Id(o))).ToList();
        var created = wanted.Where(o => why.ContainsKey(Id(o)) || !current.ContainsKey(Id(o))).ToList();
        // Whatever is created asks the controller for fresh allocations, which fit the fabric as it will be then.
        foreach (var item in created)
        {
            foreach (var field in FieldsOf(Allocated, item).Where(f => !declares(item, f)))
            {
                FieldDifferences.Set(item.Message, field, null);
            }
        }

        var steps = Enumerable.Reverse(runningInOrder).Where(o => why.ContainsKey(Id(o)) || !wantedIds.Contains(Id(o))).Select(o => new PlanStep(PlanOperation.Delete, o))
            .Concat(created.Select(o => new PlanStep(PlanOperation.Create, o)))
            .Concat(wanted.Where(o => inPlace.ContainsKey(Id(o))).Select(o => new PlanStep(PlanOperation.SetLinkState, o)))
            .ToList();
        var lines = deleted.Select(o => $"- {PlanText.Label(o)}")
            .Concat(wanted.Where(o => why.ContainsKey(Id(o))).Select(o => $"~ {PlanText.Label(o)}: {why[Id(o)]} (delete and re-create)"))
            .Concat(wanted.Where(o => inPlace.ContainsKey(Id(o))).Select(o => $"~ {PlanText.Label(o)}: {inPlace[Id(o)]} (in place)"))
            .Concat(added.Select(o => $"+ {PlanText.Label(o)}{PlanText.Details(o.Message)}"))
            .ToList();
        return new TopologyPlan(steps, lines, added.Count, why.Count + inPlace.Count, deleted.Count);
    }

    /// <summary>The objects <paramref name="message"/> refers to, each by <see cref="DeclaredObject.IdOf"/>.</summary>
    public static IEnumerable<string> References(IMessage message) => message switch
    {
        Link link => [DeclaredObject.IdOf("edge", link.A.Node), DeclaredObject.IdOf("edge", link.B.Node)],
        Network network => [DeclaredObject.IdOf("tenant", network.Tenant)],
        Tenant { External.Length: > 0 } tenant => [DeclaredObject.IdOf(ResourceKinds.ExternalNetworks.Kind, tenant.External)],
        ExternalNetwork external => [DeclaredObject.IdOf("edge", external.Edge)],
        AclRule rule => [DeclaredObject.IdOf("tenant", rule.Tenant)],
        Port port => [DeclaredObject.IdOf("edge", port.Edge), DeclaredObject.IdOf("network", port.Network), .. VmApps.TargetPort(port.Vm) is { } target ? [DeclaredObject.IdOf("port", target)] : Array.Empty<string>()],
        _ => [],
    };

    public static string Id(ModelObject item) => DeclaredObject.IdOf(item.Kind, item.Name);

    private static string[] FieldsOf(Dictionary<Type, string[]> fields, ModelObject item) => fields.GetValueOrDefault(item.Message.GetType(), []);
}
