namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>
/// Tests that measure time windows with real threads run alone, after the parallel ones, so that the other
/// test classes of this assembly do not starve their threads on a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
