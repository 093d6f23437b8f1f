namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// Splits an inclusive port range into the fewest value/mask pairs that match exactly its ports, since a
/// flow table matches ports under a mask, not by range: 1000-1999 becomes 1000/0xfff8, 1008/0xfff0, ...
/// </summary>
public static class PortRangeCover
{
    public static IEnumerable<(ushort Value, ushort Mask)> Of(uint first, uint last)
    {
        for (var at = first; at <= last;)
        {
            // The largest power-of-two block aligned at `at` that stays within the range.
            var size = at == 0 ? 0x1_0000u : at & (~at + 1);
            while (at + size - 1 > last)
            {
                size >>= 1;
            }

            yield return ((ushort)at, (ushort)~(size - 1));
            at += size;
        }
    }
}
