namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What the slow path recorded about the inputs of one compiled flow, so that it can retire exactly the cached flows a
/// change makes wrong. The cache says when it takes the flow in and when the flow is gone for good.
/// </summary>
public interface IFlowDependencies
{
    /// <summary>The flow was cached: from now on, a change to anything it read retires it.</summary>
    void Track(CompiledFlow flow);

    /// <summary>The flow was retired: forget it, so that nothing holds it any longer.</summary>
    void Release();
}
