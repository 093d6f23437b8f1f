namespace Sdn.Fabric.Core.Links;

/// <summary>
/// Seeded impairment applied to the frames a link endpoint receives, for tests.
/// The same seed and the same inbound sequence always give the same losses and reorderings.
/// </summary>
/// <param name="LossRate">Probability in [0, 1] that an inbound frame (data or hello) is lost.</param>
/// <param name="Delay">How long each inbound data frame is held back before delivery.</param>
/// <param name="ReorderRate">Probability in [0, 1] that a data frame is held and delivered after its successor.</param>
/// <param name="Seed">Seed of the pseudo-random choices.</param>
public sealed record LinkImpairment(double LossRate = 0, TimeSpan Delay = default, double ReorderRate = 0, int Seed = 1)
{
    internal void Validate()
    {
        if (LossRate is < 0 or > 1 || ReorderRate is < 0 or > 1)
        {
            throw new LinkException($"impairment rates must lie in [0, 1]; got loss {LossRate}, reorder {ReorderRate}");
        }

        if (Delay < TimeSpan.Zero)
        {
            throw new LinkException($"impairment delay must not be negative; got {Delay}");
        }
    }
}
