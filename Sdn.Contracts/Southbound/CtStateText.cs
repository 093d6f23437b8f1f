namespace Sdn.Contracts.Southbound;

/// <summary>
/// ct_state as people write it, Open vSwitch's flag names joined by '|' or '+' ("est|rpl", "+trk+new"), to and from
/// FIELD_CT_STATE's bits. Only what a tracker lookup can give is accepted: new, est, est|rpl, rel, rel|rpl or inv,
/// with trk implied.
/// </summary>
public static class CtStateText
{
    public const uint Tracked = 0x20;

    private static readonly (uint Bit, string Name)[] Flags =
        [(Tracked, "trk"), (0x01, "new"), (0x02, "est"), (0x04, "rel"), (0x08, "rpl"), (0x10, "inv")];

    private static readonly uint[] Outcomes = [0x21, 0x22, 0x2A, 0x24, 0x2C, 0x30];

    /// <summary>The bits of <paramref name="text"/>, trk set; false, with the reason, when it names no state a lookup can give.</summary>
    public static bool TryParse(string text, out uint bits, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        bits = Tracked;
        error = string.Empty;
        foreach (var name in text.Split(['|', '+', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var flag = Array.Find(Flags, f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (flag.Name is null)
            {
                error = $"'{name}' is no ct_state flag; use {string.Join(", ", Flags.Select(f => f.Name))}";
                return false;
            }

            bits |= flag.Bit;
        }

        if (!Outcomes.Contains(bits))
        {
            error = $"ct_state '{text}' is not what a lookup gives; use new, est, est|rpl, rel, rel|rpl or inv";
            return false;
        }

        return true;
    }

    /// <summary>"trk|est|rpl"; "-trk" for none.</summary>
    public static string Format(uint bits)
    {
        var names = Flags.Where(f => (bits & f.Bit) != 0).Select(f => f.Name).ToList();
        return names.Count == 0 ? "-trk" : string.Join('|', names);
    }
}
