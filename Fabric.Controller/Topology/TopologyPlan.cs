using Grpc.Core;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// What it takes to turn a running fabric into a topology (see <see cref="TopologyDefinition.PlanFrom"/>): a line per
/// object it adds (+), changes (~) or deletes (-), and the calls that do it, in the order they must run.
/// </summary>
public sealed class TopologyPlan
{
    internal TopologyPlan(IReadOnlyList<PlanStep> steps, IReadOnlyList<string> lines, int toAdd, int toChange, int toDelete)
    {
        Steps = steps;
        Lines = lines;
        ToAdd = toAdd;
        ToChange = toChange;
        ToDelete = toDelete;
    }

    /// <summary>Deletions first, what refers to an object before the object; then creations, each after what it refers to; then links set in place.</summary>
    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>
    /// One per object: "- host h2", then "~ link e1--c1: cost 1 → 10 (delete and re-create)", then
    /// "+ vm red3 (echo on e1 in red.web, 10.1.0.13)".
    /// </summary>
    public IReadOnlyList<string> Lines { get; }

    public int ToAdd { get; }

    /// <summary>Objects re-created, for a change of their own or of what they refer to, and links set in place.</summary>
    public int ToChange { get; }

    public int ToDelete { get; }

    public bool IsEmpty => Steps.Count == 0;

    /// <summary>"plan: 1 to add, 2 to change, 0 to delete", or "no changes".</summary>
    public string Summary => IsEmpty ? "no changes" : $"plan: {ToAdd} to add, {ToChange} to change, {ToDelete} to delete";

    /// <summary>
    /// Runs the steps on a model in this process as one run (<see cref="FabricModel.Together"/>): no other change
    /// comes between them, and the controller compiles them together.
    /// </summary>
    /// <exception cref="PlanStepException">The model refused a step; the steps before it were applied.</exception>
    public void ApplyTo(FabricModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Together(_ =>
        {
            for (var i = 0; i < Steps.Count; i++)
            {
                try
                {
                    Steps[i].ApplyTo(model);
                }
                catch (ModelException refusal)
                {
                    throw new PlanStepException(Steps[i], i + 1, Steps.Count, Steps.Take(i).ToList(), refusal);
                }
            }
        });
    }

    /// <summary>Makes the steps' calls to a controller, one after another.</summary>
    /// <param name="sending">Told the index in <see cref="Steps"/> of each step before its call, so also how many are done.</param>
    /// <exception cref="PlanStepException">The controller refused a step, or could not be reached; the steps before it were applied.</exception>
    public async Task ApplyAsync(Contracts.Controller.ControllerClient api, Action<int>? sending = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        for (var i = 0; i < Steps.Count; i++)
        {
            sending?.Invoke(i);
            try
            {
                await Steps[i].SendAsync(api, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException refusal)
            {
                throw new PlanStepException(Steps[i], i + 1, Steps.Count, Steps.Take(i).ToList(), refusal);
            }
        }
    }
}
