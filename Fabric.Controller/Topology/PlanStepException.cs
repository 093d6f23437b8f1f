using Grpc.Core;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// The controller (or the model, for a plan run in its process) refused a step of a plan that was sound when it was
/// made: another client changed the fabric in between. The steps before it were applied (<see cref="Applied"/>); the
/// rest were not.
/// </summary>
public sealed class PlanStepException : Exception
{
    /// <param name="number">The step's number in the plan, from 1, of <paramref name="count"/>.</param>
    public PlanStepException(PlanStep step, int number, int count, IReadOnlyList<PlanStep> applied, RpcException refusal)
        : base($"step {number} of {count} ({step}) failed: {refusal?.StatusCode}: {refusal?.Status.Detail}", refusal)
    {
        Step = step;
        Applied = applied;
    }

    /// <param name="number">The step's number in the plan, from 1, of <paramref name="count"/>.</param>
    public PlanStepException(PlanStep step, int number, int count, IReadOnlyList<PlanStep> applied, ModelException refusal)
        : base($"step {number} of {count} ({step}) failed: {refusal?.Error}: {refusal?.Message}", refusal)
    {
        Step = step;
        Applied = applied;
    }

    public PlanStepException()
    {
        Applied = [];
    }

    public PlanStepException(string message)
        : base(message)
    {
        Applied = [];
    }

    public PlanStepException(string message, Exception innerException)
        : base(message, innerException)
    {
        Applied = [];
    }

    /// <summary>The step the controller refused.</summary>
    public PlanStep? Step { get; }

    /// <summary>The steps before it, which the controller accepted, in the order they ran.</summary>
    public IReadOnlyList<PlanStep> Applied { get; }
}
