using Grpc.Core;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>One call of a <see cref="TopologyPlan"/>: create or delete one object, or set a link's administrative state.</summary>
/// <param name="Item">
/// For <see cref="PlanOperation.Create"/>, the object as it is sent, allocated fields the file leaves out left empty for
/// the controller to fill in; for <see cref="PlanOperation.Delete"/>, the running object; for
/// <see cref="PlanOperation.SetLinkState"/>, the link with the state to set.
/// </param>
public sealed record PlanStep(PlanOperation Operation, ModelObject Item)
{
    /// <exception cref="ModelException">The model refuses it.</exception>
    public void ApplyTo(FabricModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        switch (Operation)
        {
            case PlanOperation.Create:
                Item.CreateIn(model);
                break;
            case PlanOperation.Delete:
                Item.DeleteFrom(model);
                break;
            case PlanOperation.SetLinkState:
                model.SetLinkState(Item.Name, ((Link)Item.Message).AdminDown);
                break;
        }
    }

    public override string ToString() => Operation switch
    {
        PlanOperation.Create => $"create {PlanText.Label(Item)}",
        PlanOperation.Delete => $"delete {PlanText.Label(Item)}",
        _ => $"set {PlanText.Label(Item)} {(((Link)Item.Message).AdminDown ? "down" : "up")}",
    };

    /// <summary>Makes the step's call to the controller's northbound API.</summary>
    /// <exception cref="RpcException">The controller refused it, or could not be reached.</exception>
    internal Task SendAsync(Contracts.Controller.ControllerClient api, CancellationToken cancellationToken)
    {
        var delete = new DeleteRequest { Name = Item.Name };
        return (Operation, Item.Message) switch
        {
            (PlanOperation.Create, Tenant tenant) => api.CreateTenantAsync(tenant, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, Network network) => api.CreateNetworkAsync(network, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, Port port) => api.CreatePortAsync(port, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, AclRule rule) => api.CreateAclRuleAsync(rule, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, EdgeNode edge) => api.CreateEdgeAsync(edge, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, CoreNode core) => api.CreateCoreNodeAsync(core, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, Link link) => api.CreateLinkAsync(link, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Create, ExternalNetwork external) => api.CreateExternalNetworkAsync(external, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, Tenant) => api.DeleteTenantAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, Network) => api.DeleteNetworkAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, Port) => api.DeletePortAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, AclRule) => api.DeleteAclRuleAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, EdgeNode) => api.DeleteEdgeAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, CoreNode) => api.DeleteCoreNodeAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, Link) => api.DeleteLinkAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.Delete, ExternalNetwork) => api.DeleteExternalNetworkAsync(delete, cancellationToken: cancellationToken).ResponseAsync,
            (PlanOperation.SetLinkState, Link link) => api.SetLinkStateAsync(new SetLinkStateRequest { Name = link.Name, AdminDown = link.AdminDown }, cancellationToken: cancellationToken).ResponseAsync,
            _ => throw new InvalidOperationException($"a plan cannot {this}"),
        };
    }
}
